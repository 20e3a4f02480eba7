package dev.lockwatch.it.apps;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Healthy: two threads each hold one lock for 10 ms, then {@code tryLock(other, 100 ms)} in opposite orders, back
 * off on failure and retry. Every attempt is a short cycle of timed waits that ends by itself; two such cycles one
 * check apart are different wait episodes and must never add up to a DEADLOCK.
 */
public final class TimedBackoffApp {
    private static final ReentrantLock A = new ReentrantLock();
    private static final ReentrantLock B = new ReentrantLock();
    private static final AtomicLong FAILED = new AtomicLong();

    private TimedBackoffApp() {
    }

    public static void main(String[] args) throws Exception {
        long millis = args.length > 0 ? Long.parseLong(args[0]) : 3000;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        Thread t1 = new Thread(() -> loop(A, B, end), "backoff-A-then-B");
        Thread t2 = new Thread(() -> loop(B, A, end), "backoff-B-then-A");
        t1.start();
        t2.start();
        t1.join();
        t2.join();
        System.out.println("timed-backoff: all done, failed tryLocks " + FAILED.get());
    }

    private static void loop(ReentrantLock first, ReentrantLock second, long end) {
        while (System.nanoTime() < end) {
            first.lock();
            try {
                Pause.pause(10);
                if (second.tryLock(100, TimeUnit.MILLISECONDS)) {
                    second.unlock();
                } else {
                    FAILED.incrementAndGet();
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                first.unlock();
            }
            Pause.pause(ThreadLocalRandom.current().nextInt(3));
        }
    }
}
