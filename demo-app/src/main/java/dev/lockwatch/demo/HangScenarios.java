package dev.lockwatch.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Threads stuck for good with no cycle: a HANG each. Every stuck thread is a daemon named for its part.
 *
 * <p>These scenarios run until the JVM is stopped, whatever {@code --seconds} says: the main thread joins the stuck
 * threads without a timeout, because a main thread that sleeps until a deadline is a thread that could still wake
 * them (it will run again), and Lockwatch rightly stays silent while one exists (see HANG-README.md, rule 3c).
 */
final class HangScenarios {

    private HangScenarios() {
    }

    static List<Scenario> all() {
        return List.of(new FutureNeverCompleted(), new ProducerDied(), new LostNotify(), new HeldLockRoot(),
                new SemaphoreLeak(), new DeadOwner(), new DeadReader(),
                new HandRolledLockOwnerDied());
    }

    /**
     * What a thread that was meant to wake the waiter does after its mistake: it lives on a little (so that the
     * agent's checks see it alive, then ended, as with any thread that dies while a program runs) and ends once the
     * waiter waits, saying so ({@code demo: <thread> ends}).
     */
    private static void endOnceWaiting(Thread waiter) throws InterruptedException {
        while (waiter.getState() != Thread.State.WAITING && waiter.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(5);
        }
        Thread.sleep(FINISHING_MILLIS);
        System.out.println("demo: " + Thread.currentThread().getName() + " ends");
    }

    /**
     * Long enough for the agent's first check to come before the thread ends on a slow machine (the agent starts
     * checking one interval after start-up, and a thread it never saw alive cannot be named as ended).
     */
    private static final long FINISHING_MILLIS = 2000;

    /** Starts the threads not started yet, says when they are stuck, and joins them: never returns. */
    private static void stage(String scenario, StuckThreads stuck, List<Thread> threads, List<Thread> ending)
            throws InterruptedException {
        for (Thread t : ending) {
            if (t.getState() == Thread.State.NEW) {
                t.start();
            }
        }
        for (Thread t : threads) {
            if (t.getState() == Thread.State.NEW) {
                t.start();
            }
        }
        if (stuck.await(() -> threads)) {
            System.out.println("demo: " + scenario + ": threads stuck: "
                    + threads.stream().map(Thread::getName).collect(java.util.stream.Collectors.joining(", ")));
        } else {
            System.out.println("demo: " + scenario + ": threads did not get stuck");
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** The request that was never sent: a future nobody will complete. */
    static final class FutureNeverCompleted implements Scenario {
        @Override
        public String name() {
            return "hang-future-never-completed";
        }

        @Override
        public String description() {
            return "a thread waits in get() for a CompletableFuture that no thread will complete: HANG";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            StuckThreads stuck = new StuckThreads();
            CompletableFuture<String> response = new CompletableFuture<>();
            Thread waiter = ThreadBody.daemon("response-waiter", () -> {
                stuck.finalWaitNext();
                try {
                    response.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            });
            stage(name(), stuck, List.of(waiter), List.of());
        }
    }

    /** The producer throws before it counts down. */
    static final class ProducerDied implements Scenario {
        @Override
        public String name() {
            return "hang-producer-died";
        }

        @Override
        public String description() {
            return "a thread awaits a CountDownLatch whose producer died with an exception first: HANG";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            StuckThreads stuck = new StuckThreads();
            CountDownLatch loaded = new CountDownLatch(1);
            Thread waiter = ThreadBody.daemon("latch-waiter", () -> {
                stuck.finalWaitNext();
                loaded.await();
            });
            Thread producer = ThreadBody.daemon("latch-producer", () -> {
                endOnceWaiting(waiter);
                if (loaded.getCount() > 0) {
                    throw new IllegalStateException("the producer failed before it counted down");
                }
                loaded.countDown();
            });
            producer.setUncaughtExceptionHandler((t, e) -> System.out.println("demo: " + t.getName() + " died: " + e.getMessage()));
            waiter.start();
            producer.start();
            stage(name(), stuck, List.of(waiter), List.of());
        }
    }

    /** notifyAll() before wait(): the flag the waiter loops on is never set. */
    static final class LostNotify implements Scenario {
        private final Object ready = new Object();
        private boolean done;

        @Override
        public String name() {
            return "hang-lost-notify";
        }

        @Override
        public String description() {
            return "notifyAll() ran before the waiter's wait(), and its flag is never set: HANG";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            StuckThreads stuck = new StuckThreads();
            CountDownLatch notified = new CountDownLatch(1);
            Thread waiter = ThreadBody.daemon("notify-waiter", () -> {
                synchronized (ready) {
                    stuck.finalWaitNext();
                    while (!done) {
                        ready.wait();
                    }
                }
            });
            Thread notifier = ThreadBody.daemon("early-notifier", () -> {
                synchronized (ready) {
                    ready.notifyAll(); // the bug: it forgets to set done first, and nobody waits yet
                }
                notified.countDown();
                endOnceWaiting(waiter);
            });
            notifier.start();
            notified.await();
            stage(name(), stuck, List.of(waiter), List.of(notifier));
        }
    }

    /** A thread holds the cache's monitor while it waits for a reply that never comes; requests queue behind it. */
    static final class HeldLockRoot implements Scenario {
        private static final int REQUESTS = 3;
        private final Object cache = new Object();
        private final CountDownLatch reply = new CountDownLatch(1);

        @Override
        public String name() {
            return "hang-held-lock-root";
        }

        @Override
        public String description() {
            return "a thread holds a monitor and waits for a reply that never comes, requests queue behind it: one HANG";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            StuckThreads stuck = new StuckThreads();
            CountDownLatch holding = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            threads.add(ThreadBody.daemon("cache-refresher", () -> {
                synchronized (cache) {
                    holding.countDown();
                    stuck.finalWaitNext();
                    reply.await();
                }
            }));
            for (int i = 1; i <= REQUESTS; i++) {
                threads.add(ThreadBody.daemon("cache-request-" + i, () -> {
                    holding.await();
                    stuck.finalWaitNext();
                    synchronized (cache) {
                        reply.countDown();
                    }
                }));
            }
            stage(name(), stuck, threads, List.of());
        }
    }

    /** The permit's taker ends without release(). */
    static final class SemaphoreLeak implements Scenario {
        @Override
        public String name() {
            return "hang-semaphore-leak";
        }

        @Override
        public String description() {
            return "a Semaphore's only permit leaked (its taker ended without release), a thread blocks in acquire(): HANG";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            StuckThreads stuck = new StuckThreads();
            Semaphore connections = new Semaphore(1);
            CountDownLatch taken = new CountDownLatch(1);
            Thread waiter = ThreadBody.daemon("permit-waiter", () -> {
                stuck.finalWaitNext();
                connections.acquire();
            });
            Thread taker = ThreadBody.daemon("permit-taker", () -> {
                connections.acquire(); // never released
                taken.countDown();
                endOnceWaiting(waiter);
            });
            taker.start();
            taken.await();
            stage(name(), stuck, List.of(waiter), List.of(taker));
        }
    }

    /** Issue 10 item 13: a ReentrantLock whose owner thread ended without unlock(). */
    static final class DeadOwner implements Scenario {
        @Override
        public String name() {
            return "hang-dead-owner";
        }

        @Override
        public String description() {
            return "a ReentrantLock's owner thread ended without unlock(), a thread waits in lock(): HANG naming the owner";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            StuckThreads stuck = new StuckThreads();
            ReentrantLock ledger = new ReentrantLock();
            CountDownLatch locked = new CountDownLatch(1);
            Thread waiter = ThreadBody.daemon("ledger-waiter", () -> {
                stuck.finalWaitNext();
                ledger.lock();
            });
            Thread owner = ThreadBody.daemon("ledger-owner", () -> {
                ledger.lock(); // never unlocked
                locked.countDown();
                endOnceWaiting(waiter);
            });
            owner.start();
            locked.await();
            stage(name(), stuck, List.of(waiter), List.of(owner));
        }
    }

    /** Issue 10 item 13: a read lock whose holder ended without unlock(); a writer waits. */
    static final class DeadReader implements Scenario {
        @Override
        public String name() {
            return "hang-dead-reader";
        }

        @Override
        public String description() {
            return "a read lock's holder ended without unlock(), a writer waits in lock(): HANG naming the reader";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            StuckThreads stuck = new StuckThreads();
            ReentrantReadWriteLock report = new ReentrantReadWriteLock();
            CountDownLatch locked = new CountDownLatch(1);
            Thread writer = ThreadBody.daemon("report-writer", () -> {
                stuck.finalWaitNext();
                report.writeLock().lock();
            });
            Thread reader = ThreadBody.daemon("report-reader", () -> {
                report.readLock().lock(); // never unlocked
                locked.countDown();
                endOnceWaiting(writer);
            });
            reader.start();
            locked.await();
            stage(name(), stuck, List.of(writer), List.of(reader));
        }
    }

    /**
     * A lock built on {@code synchronized} and {@code wait(500)}, whose owner thread died holding it: the waiter
     * is never BLOCKED or WAITING for long (timed waits, and runnable in between), yet makes no progress.
     */
    static final class HandRolledLockOwnerDied implements Scenario {
        /** The hand-rolled lock: its owner field is what tells the agent who holds it. */
        static final class HandRolledLock {
            private Thread owner;

            synchronized void lock() throws InterruptedException {
                while (owner != null) {
                    wait(500);
                }
                owner = Thread.currentThread();
            }

            synchronized void unlock() {
                owner = null;
                notifyAll();
            }
        }

        @Override
        public String name() {
            return "hang-handrolled-lock";
        }

        @Override
        public String description() {
            return "a lock of synchronized + wait(500) whose owner thread died, a thread loops in lock(): HANG naming the owner";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            StuckThreads stuck = new StuckThreads();
            HandRolledLock journal = new HandRolledLock();
            CountDownLatch locked = new CountDownLatch(1);
            Thread waiter = ThreadBody.daemon("journal-waiter", () -> {
                stuck.finalWaitNext();
                journal.lock();
            });
            Thread owner = ThreadBody.daemon("journal-owner", () -> {
                journal.lock(); // never unlocked: the thread ends holding it
                locked.countDown();
                endOnceWaiting(waiter);
            });
            owner.start();
            locked.await();
            stage(name(), stuck, List.of(waiter), List.of(owner));
        }
    }
}
