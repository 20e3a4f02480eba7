package dev.lockwatch.registry;

import dev.lockwatch.bootstrap.CallSites;
import dev.lockwatch.bootstrap.Registry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, item 4: the records of threads that have ended must not pile up until the watchdog's next check (with
 * {@code interval=1m}, 150,000 short-lived threads ran out of a 64 MB heap). Threads list themselves on their first
 * rewritten lock; each listing drains a few records of collected threads, so the table keeps up with any churn
 * without a check. No watchdog runs here, and {@link Registry#purge()} is never called.
 */
class EndedThreadsTest {
    private static final int THREADS = 4_000;
    private static final int ALIVE = 16;

    @Test
    void recordsOfEndedThreadsDoNotPileUpBetweenChecks() throws Exception {
        int before = Registry.listedCount();
        Thread[] alive = new Thread[ALIVE];
        int most = 0;
        for (int i = 0; i < THREADS; i++) {
            int k = i % ALIVE;
            if (alive[k] != null) {
                alive[k].join();
            }
            if (i % 500 == 0) {
                System.gc(); // ended threads become collectable; their records are drained by later listings
                most = Math.max(most, Registry.listedCount() - before);
            }
            ReentrantLock lock = new ReentrantLock();
            alive[k] = new Thread(() -> {
                CallSites.lock(lock, null, 1); // what a rewritten lock() call does
                lock.unlock();
            });
            alive[k].start();
        }
        for (Thread t : alive) {
            t.join();
        }
        most = Math.max(most, Registry.listedCount() - before);
        assertTrue(most < THREADS / 4, "records of ended threads pile up without a check: up to " + most
                + " listed after " + THREADS + " threads, " + ALIVE + " alive at a time");
    }
}
