package dev.lockwatch.it.apps;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Run at {@code -Xmx32m -XX:+UseSerialGC}: fills the heap and asks for the ThreadMXBean while nothing is left, giving
 * back 1 KB at a time, so that an initializer of {@code java.lang.management} runs out of memory and, as any class
 * whose initializer failed, never works again in this JVM (what an application's OutOfMemoryError churn did to the
 * agent's first check in CI). Then the heap recovers and two threads deadlock: that deadlock must still be reported.
 * It prints whether the bean works afterwards: without the agent it never does, which shows that the poisoning is
 * real. With the agent, it first waits (bounded) for the agent's thread to park for its first interval, as any
 * application would be doing its own work by then.
 */
public final class PoisonedManagementApp {
    static volatile List<Object> hog;

    private PoisonedManagementApp() {
    }

    public static void main(String[] args) throws Exception {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        // threads, lambdas and string concatenation made before the heap is full: their first use initializes
        // classes of java.lang.invoke, which would otherwise be what the application itself poisons
        Thread t1 = new Thread(() -> both(a, b), "poisoned-A-then-B");
        Thread t2 = new Thread(() -> both(b, a), "poisoned-B-then-A");
        t1.setDaemon(true);
        t2.setDaemon(true);
        System.out.println("poisoned-management: " + args.length + " arguments");
        waitForTheAgentsFirstInterval();
        List<Object> mine = new ArrayList<>(1 << 20);
        hog = mine;
        for (int size = 64 * 1024; size >= 128; size /= 4) {
            try {
                while (true) {
                    mine.add(new long[size]);
                }
            } catch (OutOfMemoryError full) {
                // next size, into what is left
            }
        }
        // The first tries run out of memory in loading and linking (which the next try repeats); the first one that
        // runs out inside an initializer leaves that class unusable for good. Nothing here allocates but the call.
        for (int i = mine.size() - 1; i >= 0; i--) {
            mine.remove(i);
            try {
                ManagementFactory.getThreadMXBean();
                break;
            } catch (Throwable notYet) {
                // out of memory, or the class is poisoned already: give back 1 KB more and ask again
            }
        }
        mine = null;
        hog = null;
        System.gc();
        String now;
        try {
            ManagementFactory.getThreadMXBean();
            now = "works";
        } catch (Throwable t) {
            now = t.toString();
        }
        System.out.println("poisoned-management: heap recovered; the ThreadMXBean now: " + now);
        t1.start();
        t2.start();
        t1.join();
    }

    private static void waitForTheAgentsFirstInterval() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            Thread agent = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("lockwatch-watchdog")).findFirst().orElse(null);
            if (agent == null || agent.getState() == Thread.State.TIMED_WAITING) {
                return; // no agent, or it is parked until its first check
            }
            Thread.sleep(5); // polling a condition, with a bound
        }
    }

    private static void both(ReentrantLock first, ReentrantLock second) {
        first.lock();
        Pause.pause(200);
        second.lock();
    }
}
