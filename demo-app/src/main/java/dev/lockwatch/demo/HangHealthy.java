package dev.lockwatch.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Waits that must never be reported as HANG (run with {@code hangAfter=5s}): idle threads of every common kind,
 * and waits that end late but do end. All at once, so that one run of 15 s shows them all.
 */
final class HangHealthy {

    private HangHealthy() {
    }

    static List<Scenario> all() {
        return List.of(new SlowButHealthy(), new IdleOnly());
    }

    /** Pools, a queue consumer and a timer that ran a task once and now wait for work. */
    private static void startIdleThreads(List<AutoCloseable> keep) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(2, PoolThreads.numbered("idle-pool"));
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, PoolThreads.named("idle-scheduler"));
        ForkJoinPool forkJoin = new ForkJoinPool(2);
        CountDownLatch ran = new CountDownLatch(4);
        pool.execute(ran::countDown);
        pool.execute(ran::countDown);
        scheduler.schedule(ran::countDown, 10, TimeUnit.MILLISECONDS);
        forkJoin.execute(ran::countDown);
        ran.await();
        keep.add(pool::shutdown);
        keep.add(scheduler::shutdown);
        keep.add(forkJoin::shutdown);

        BlockingQueue<String> empty = new LinkedBlockingQueue<>();
        Thread consumer = ThreadBody.daemon("queue-consumer", () -> {
            while (true) {
                System.out.println("demo: consumed " + empty.take());
            }
        });
        consumer.start();
        Timer timer = new Timer("idle-timer", true);
        CountDownLatch timed = new CountDownLatch(1);
        timer.schedule(new TimerTask() {
            @Override
            public void run() {
                timed.countDown();
            }
        }, 10);
        timed.await();
        keep.add(timer::cancel);
    }

    /**
     * Idle threads and the slow-but-ending waits of issue 14, for 15 s or more. Each thread's name says its part.
     */
    static final class SlowButHealthy implements Scenario {
        @Override
        public String name() {
            return "hang-healthy";
        }

        @Override
        public String description() {
            return "idle pools, queue, timer, selector, accept, sleeps, a join, and waits that end after 7-9 s: no HANG";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            List<AutoCloseable> keep = new ArrayList<>();
            startIdleThreads(keep);
            List<Thread> threads = new ArrayList<>();
            threads.add(ThreadBody.daemon("sleeper", () -> {
                while (!end.passed()) {
                    Thread.sleep(1000);
                }
            }));
            Thread busy = ThreadBody.daemon("busy-worker", () -> compute(12_000));
            threads.add(busy);
            threads.add(ThreadBody.daemon("joiner", busy::join));

            ScheduledExecutorService completer = Executors.newScheduledThreadPool(1, PoolThreads.named("completer"));
            CompletableFuture<String> reply = new CompletableFuture<>();
            completer.schedule(() -> reply.complete("late"), 9, TimeUnit.SECONDS);
            keep.add(completer::shutdown);
            threads.add(ThreadBody.daemon("future-waiter", () -> {
                try {
                    reply.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            }));

            CountDownLatch latch = new CountDownLatch(1);
            threads.add(ThreadBody.daemon("latch-waiter", latch::await));
            threads.add(ThreadBody.daemon("latch-counter", () -> {
                Thread.sleep(8000);
                latch.countDown();
            }));

            ReentrantLock lock = new ReentrantLock();
            Condition ready = lock.newCondition();
            boolean[] signalled = {false};
            threads.add(ThreadBody.daemon("condition-waiter", () -> {
                lock.lock();
                try {
                    while (!signalled[0]) {
                        ready.await();
                    }
                } finally {
                    lock.unlock();
                }
            }));
            threads.add(ThreadBody.daemon("condition-signaller", () -> {
                Thread.sleep(7000);
                lock.lock();
                try {
                    signalled[0] = true;
                    ready.signalAll();
                } finally {
                    lock.unlock();
                }
            }));

            Object monitor = new Object();
            CountDownLatch sleeping = new CountDownLatch(1);
            threads.add(ThreadBody.daemon("monitor-sleeper", () -> {
                synchronized (monitor) {
                    sleeping.countDown();
                    Thread.sleep(8000);
                }
            }));
            threads.add(ThreadBody.daemon("monitor-waiter", () -> {
                sleeping.await();
                synchronized (monitor) {
                    monitor.notifyAll();
                }
            }));

            ReentrantLock table = new ReentrantLock();
            CountDownLatch computing = new CountDownLatch(1);
            threads.add(ThreadBody.daemon("lock-computer", () -> {
                table.lock();
                try {
                    computing.countDown();
                    compute(9000);
                } finally {
                    table.unlock();
                }
            }));
            threads.add(ThreadBody.daemon("lock-waiter", () -> {
                computing.await();
                table.lock();
                table.unlock();
            }));
            threads.add(ThreadBody.daemon("acceptor", () -> {
                try (ServerSocket server = new ServerSocket()) {
                    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    server.accept().close();
                } catch (IOException e) {
                    System.out.println("demo: acceptor: " + e);
                }
            }));
            threads.add(ThreadBody.daemon("selector", () -> {
                try (Selector selector = Selector.open()) {
                    selector.select();
                } catch (IOException e) {
                    System.out.println("demo: selector: " + e);
                }
            }));
            threads.forEach(Thread::start);
            System.out.println("demo: " + name() + ": " + threads.size() + " threads and idle pools started");
            end.sleepUntil();
            int ended = 0;
            for (Thread t : threads) {
                ended += t.isAlive() ? 0 : 1;
            }
            System.out.println("demo: " + name() + ": done, " + ended + " of " + threads.size() + " threads ended");
            for (AutoCloseable k : keep) {
                try {
                    k.close();
                } catch (Exception e) {
                    System.out.println("demo: " + e);
                }
            }
        }

        /** Works in short bursts (a little arithmetic, then a 1 ms pause) so two cores shared by CI stay usable. */
        private static void compute(long millis) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            long x = 1;
            while (System.nanoTime() - until < 0) {
                for (int i = 0; i < 100_000; i++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                }
                Thread.sleep(1);
            }
            if (x == 42) {
                System.out.println("demo: unlikely");
            }
        }
    }

    /**
     * Only idle threads, and a main thread that joins one of them without a timeout: nothing could ever wake
     * anything, so rule 3c (no thread left that could wake it) holds, and only rule 2 (idle loops are never hangs)
     * keeps the idle threads out of any report. Runs until the JVM is stopped.
     */
    static final class IdleOnly implements Scenario {
        @Override
        public String name() {
            return "hang-healthy-idle";
        }

        @Override
        public String description() {
            return "only idle pools, a queue consumer and a timer, main joins one: no HANG (runs until stopped)";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            List<AutoCloseable> keep = new ArrayList<>();
            startIdleThreads(keep);
            Thread consumer = null;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals("queue-consumer")) {
                    consumer = t;
                }
            }
            System.out.println("demo: " + name() + ": idle threads started");
            if (consumer != null) {
                consumer.join();
            }
        }
    }
}
