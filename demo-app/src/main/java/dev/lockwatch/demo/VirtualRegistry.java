package dev.lockwatch.demo;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * 100,000 virtual threads that each take and release locks, then a check that the agent's registry keeps
 * nothing for them once they have ended (read through reflection; without the agent it says so).
 */
final class VirtualRegistry implements Scenario {
    private static final int THREADS = 100_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();

    @Override
    public String name() {
        return "virtual-registry";
    }

    @Override
    public String description() {
        return "100,000 virtual threads take and release locks; the agent must keep nothing for them (JDK 21+)";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        if (!VirtualThreads.available()) {
            System.out.println("demo: " + name() + ": needs JDK 21+ (virtual threads)");
            return;
        }
        ExecutorService threads;
        try {
            threads = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < THREADS; i++) {
            threads.execute(() -> {
                rw.readLock().lock();
                rw.readLock().unlock();
                lock.lock();
                lock.unlock();
            });
        }
        threads.shutdown();
        if (!threads.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)) {
            System.out.println("demo: " + name() + ": the virtual threads did not finish within 60 s");
            return;
        }
        int during = virtualRecords();
        System.out.println("demo: " + name() + ": " + THREADS + " virtual threads ended; agent records of virtual threads: " + during);
        Deadline bound = Deadline.after(java.time.Duration.ofSeconds(20));
        int left = during;
        while (left > 0 && !bound.passed()) {
            System.gc();
            Thread.sleep(100);
            left = virtualRecords();
        }
        System.out.println("demo: " + name() + ": done, agent records of virtual threads after they ended: " + left);
    }

    /** How many records of virtual threads the agent's registry lists (after dropping collected ones); -1 without agent. */
    private static int virtualRecords() {
        try {
            Class<?> registry = Class.forName("dev.lockwatch.bootstrap.Registry", true, null);
            registry.getMethod("purge").invoke(null);
            List<?> records = (List<?>) registry.getMethod("listed").invoke(null);
            int n = 0;
            for (Object r : records) {
                if (r.getClass().getField("virtual").getBoolean(r)) {
                    n++;
                }
            }
            return n;
        } catch (ClassNotFoundException e) {
            return -1;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
