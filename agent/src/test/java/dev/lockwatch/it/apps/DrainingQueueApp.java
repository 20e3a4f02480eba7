package dev.lockwatch.it.apps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Healthy: N threads queue on one {@code ReentrantLock} that main holds for longer than {@code hangAfter}, then
 * main lets go and the queue drains, each thread taking the lock in turn and, after it, keeping a core busy for a
 * moment (so the next one in the queue is slow to be scheduled, and the lock is often between two of them, with
 * no owner). Every waiter has waited longer than {@code hangAfter} by then; none is hung, since the queue moves.
 *
 * <p>Args: number of waiters (default 400), how long main holds the lock in ms (default 2500), the busy time after
 * each release in µs (default 1000).
 */
public final class DrainingQueueApp {
    private DrainingQueueApp() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        long holdMillis = args.length > 1 ? Long.parseLong(args[1]) : 2500;
        long busyNanos = TimeUnit.MICROSECONDS.toNanos(args.length > 2 ? Long.parseLong(args[2]) : 1000);
        ReentrantLock lock = new ReentrantLock();
        lock.lock();
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                lock.lock();
                lock.unlock();
                long until = System.nanoTime() + busyNanos;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }, "queued-" + i);
            t.start();
            threads.add(t);
        }
        long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (lock.getQueueLength() < n && System.nanoTime() < bound) {
            Thread.sleep(10);
        }
        System.out.println("draining-queue: " + lock.getQueueLength() + " threads queued");
        Thread.sleep(holdMillis);
        long start = System.nanoTime();
        lock.unlock();
        for (Thread t : threads) {
            t.join();
        }
        System.out.printf("draining-queue: all done, drained in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
