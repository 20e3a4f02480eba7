package dev.lockwatch.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Semaphores used as mutexes (issue 14, scenario 8): two deadlocks, and a busy program that must never be reported.
 * Threads are named plainly, for the reports.
 */
final class SemaphoreScenarios {

    private SemaphoreScenarios() {
    }

    static List<Scenario> all() {
        return List.of(new PermitAbba(), new PermitAgain(), new Healthy());
    }

    /** Two one-permit semaphores, each thread holds one permit and asks for the other's. */
    static final class PermitAbba implements Scenario {
        private final Semaphore a = new Semaphore(1);
        private final Semaphore b = new Semaphore(1, true);
        private final DeadlockRun deadlock = new DeadlockRun();

        @Override
        public String name() {
            return "semaphore-abba";
        }

        @Override
        public String description() {
            return "two threads take the only permits of two Semaphores (one fair) in opposite order: DEADLOCK";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            deadlock.thread("permit-a", () -> take(a, b))
                    .thread("permit-b", () -> take(b, a))
                    .run(name(), end);
        }

        private void take(Semaphore first, Semaphore second) throws InterruptedException {
            first.acquire();
            try {
                deadlock.firstLockHeld();
                second.acquire();
                second.release();
            } finally {
                first.release();
            }
        }
    }

    /** A thread that holds a one-permit semaphore's permit and asks for it again (a semaphore does not re-enter). */
    static final class PermitAgain implements Scenario {
        private final Semaphore mutex = new Semaphore(1);
        private final DeadlockRun deadlock = new DeadlockRun();

        @Override
        public String name() {
            return "semaphore-again";
        }

        @Override
        public String description() {
            return "a thread holding a Semaphore's only permit calls acquire() again: DEADLOCK with itself";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            deadlock.thread("permit-again", this::again).run(name(), end);
        }

        private void again() throws InterruptedException {
            mutex.acquire();
            try {
                deadlock.firstLockHeld();
                mutex.acquire();
                mutex.release();
            } finally {
                mutex.release();
            }
        }
    }

    /**
     * Nothing here may be reported: six threads churn through a three-permit semaphore (each holds a permit for a
     * moment, often while others wait); and a one-permit semaphore whose permit is taken by one thread and
     * released by another (a hand-off), while a third waits for it. After the first hand-off the rounds form a
     * cycle in shape (the waiter holds a lock the taker then asks for, while the taker's permit is what the waiter
     * waits for) that a releasing thread ends: the agent, having seen a permit released by a thread that did not
     * take it, no longer names the taker as the holder.
     */
    static final class Healthy implements Scenario {
        private static final int CHURNERS = 6;
        private static final long HANDOFF_MILLIS = 300;

        private final Semaphore pool = new Semaphore(3);
        private final Semaphore handoff = new Semaphore(1);
        private final ReentrantLock ledger = new ReentrantLock();
        private final SynchronousQueue<Boolean> toReleaser = new SynchronousQueue<>();
        private final LongAdder taken = new LongAdder();
        private final LongAdder rounds = new LongAdder();

        @Override
        public String name() {
            return "semaphore-healthy";
        }

        @Override
        public String description() {
            return "6 threads churn a 3-permit Semaphore; a permit released by another thread than its taker: must never be reported";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            List<Thread> threads = new ArrayList<>();
            for (int i = 1; i <= CHURNERS; i++) {
                threads.add(ThreadBody.daemon("permit-churn-" + i, () -> churn(end)));
            }
            threads.add(ThreadBody.daemon("handoff-releaser", () -> releaseHandedOff(end)));
            threads.add(ThreadBody.daemon("handoff-taker", () -> takeAndHandOff(end)));
            threads.forEach(Thread::start);
            end.sleepUntil();
            System.out.println("demo: semaphore-healthy: done, " + taken.sum() + " permits taken, "
                    + rounds.sum() + " hand-offs");
        }

        private void churn(Deadline end) throws InterruptedException {
            long spin = 0;
            while (!end.passed()) {
                pool.acquire();
                try {
                    taken.increment();
                    for (int i = 0; i < 2_000; i++) {
                        spin += i ^ spin;
                    }
                    if ((spin & 7) == 0) {
                        Thread.sleep(1);
                    }
                } finally {
                    pool.release();
                }
            }
        }

        /** Releases the hand-off semaphore's permit a moment after the taker hands it over. */
        private void releaseHandedOff(Deadline end) throws InterruptedException {
            while (!end.passed()) {
                if (toReleaser.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS) != null) {
                    Thread.sleep(HANDOFF_MILLIS);
                    handoff.release();
                    rounds.increment();
                }
            }
        }

        /**
         * Takes the permit and hands it over. The first round: a waiter asks for the permit and waits until the
         * releaser gives it back. Every later round: the waiter holds the ledger lock while it waits, and the taker
         * then asks for the ledger lock.
         */
        private void takeAndHandOff(Deadline end) throws InterruptedException {
            for (int round = 0; !end.passed(); round++) {
                handoff.acquire();
                boolean holdLedger = round > 0;
                Thread waiter = ThreadBody.daemon("handoff-waiter", () -> waitForPermit(holdLedger));
                waiter.start();
                while (waiter.getState() != Thread.State.WAITING && waiter.isAlive()) {
                    Thread.sleep(1);
                }
                toReleaser.put(Boolean.TRUE);
                if (holdLedger) {
                    ledger.lock(); // waits for the waiter, which waits for the permit the releaser gives back
                    ledger.unlock();
                }
                waiter.join();
            }
        }

        private void waitForPermit(boolean holdLedger) throws InterruptedException {
            if (holdLedger) {
                ledger.lock();
            }
            try {
                handoff.acquire();
                handoff.release();
            } finally {
                if (holdLedger) {
                    ledger.unlock();
                }
            }
        }
    }
}
