package dev.lockwatch.demo;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongPredicate;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Lock-order checking keeps no lock alive: a thread takes a lock, then a monitor inside it, and lets both go. The
 * scenario waits (within bounds) until the agent's MBean counts that order, then until both locks are collected,
 * then until the order has left the graph, and prints what it saw at each step.
 */
final class LockOrderCollected implements Scenario {
    private static final Duration STEP_BOUND = Duration.ofSeconds(15);

    @Override
    public String name() {
        return "lock-order-collected";
    }

    @Override
    public String description() {
        return "an order between two short-lived locks, which are then collected and leave the graph (healthy; lockOrder=on)";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        WeakReference<?>[] refs = new WeakReference<?>[2];
        Object[] untilCounted = new Object[2]; // so that no collection can take them before the agent counts the order
        Thread t = new Thread(ThreadBody.quietly(() -> {
            ReentrantLock outer = new ReentrantLock();
            Object inner = new Object();
            refs[0] = new WeakReference<>(outer);
            refs[1] = new WeakReference<>(inner);
            untilCounted[0] = outer;
            untilCounted[1] = inner;
            OrderRun.lockThenMonitor(outer, inner);
        }), "short-lived-pair");
        t.start();
        t.join();
        System.out.println("demo: lock-order-collected: orders in the graph " + awaitRecorded(n -> n >= 1));
        java.util.Arrays.fill(untilCounted, null);
        boolean collected = false;
        Deadline bound = Deadline.after(STEP_BOUND);
        while (!collected && !bound.passed()) {
            System.gc();
            Thread.sleep(50);
            collected = refs[0].get() == null && refs[1].get() == null;
        }
        System.out.println("demo: lock-order-collected: both locks collected " + collected);
        System.out.println("demo: lock-order-collected: orders in the graph after collection " + awaitRecorded(n -> n == 0));
        end.sleepUntil();
        System.out.println("demo: lock-order-collected: done");
    }

    /** The agent's count of orders in its graph once {@code until} holds, or the last count after the bound. */
    private static long awaitRecorded(LongPredicate until) throws InterruptedException {
        Deadline bound = Deadline.after(STEP_BOUND);
        long n = -1;
        try {
            ObjectName name = new ObjectName("dev.lockwatch:type=Lockwatch");
            while (!bound.passed()) {
                if (ManagementFactory.getPlatformMBeanServer().isRegistered(name)) {
                    n = (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(name, "GraphOrderCount");
                    if (until.test(n)) {
                        return n;
                    }
                }
                Thread.sleep(20);
            }
        } catch (JMException e) {
            System.out.println("demo: lock-order-collected: the agent's MBean could not be read: " + e);
        }
        return n;
    }
}
