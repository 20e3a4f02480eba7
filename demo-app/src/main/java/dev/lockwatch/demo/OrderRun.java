package dev.lockwatch.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads of a lock-order scenario, run one after another: each starts when the one before it has ended, so
 * no two ever hold locks at the same time and nothing can deadlock. A lock-order checker still sees every order
 * they took: that is the point, a deadlock found before the unlucky interleaving happens.
 */
final class OrderRun {
    private final List<Thread> threads = new ArrayList<>();

    OrderRun thread(String name, ThreadBody body) {
        threads.add(new Thread(ThreadBody.quietly(body), name));
        return this;
    }

    /** Runs the threads in turn, says so, and returns at {@code end} (the JVM lives on for the agent's checks). */
    void run(String scenario, Deadline end) throws InterruptedException {
        for (Thread t : threads) {
            t.start();
            t.join();
        }
        System.out.println("demo: " + scenario + ": orders taken, " + threads.size() + (threads.size() == 1 ? " thread" : " threads one after another"));
        end.sleepUntil();
        System.out.println("demo: " + scenario + ": done");
    }

    /** Takes {@code first}, then {@code second} inside it: the order a lock-order checker records. */
    static void nested(ReentrantLock first, ReentrantLock second) {
        first.lock();
        try {
            second.lock();
            second.unlock();
        } finally {
            first.unlock();
        }
    }

    /** Takes {@code outer}, then the monitor of {@code inner} inside it: one order between a lock and a monitor. */
    static void lockThenMonitor(ReentrantLock outer, Object inner) {
        outer.lock();
        try {
            synchronized (inner) {
                inner.hashCode();
            }
        } finally {
            outer.unlock();
        }
    }
}
