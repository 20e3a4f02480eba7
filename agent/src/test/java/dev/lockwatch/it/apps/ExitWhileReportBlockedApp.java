package dev.lockwatch.it.apps;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Deadlocks 20 pairs of threads with deep stacks, so that the report is far larger than a pipe's buffer, then calls
 * {@code System.exit(0)} after a while. Run with a stderr that nobody reads: the watchdog blocks writing the report,
 * and the exit must not wait for it.
 */
public final class ExitWhileReportBlockedApp {
    private ExitWhileReportBlockedApp() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = 20;
        CountDownLatch holding = new CountDownLatch(pairs * 2);
        for (int i = 0; i < pairs; i++) {
            ReentrantLock a = new ReentrantLock();
            ReentrantLock b = new ReentrantLock();
            start(a, b, holding, "exit-A-then-B-" + i);
            start(b, a, holding, "exit-B-then-A-" + i);
        }
        holding.await();
        System.out.println("exit-blocked: deadlocked");
        Pause.pause(3000); // the watchdog reports (and blocks on the full pipe) meanwhile
        System.out.println("exit-blocked: exiting");
        System.exit(0);
    }

    private static void start(ReentrantLock first, ReentrantLock second, CountDownLatch holding, String name) {
        Thread t = new Thread(() -> deep(300, first, second, holding), name);
        t.setDaemon(true);
        t.start();
    }

    private static void deep(int depth, ReentrantLock first, ReentrantLock second, CountDownLatch holding) {
        if (depth > 0) {
            deep(depth - 1, first, second, holding);
            return;
        }
        Abba.lockBoth(first, second, holding);
    }
}
