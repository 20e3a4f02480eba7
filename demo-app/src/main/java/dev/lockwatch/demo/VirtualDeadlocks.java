package dev.lockwatch.demo;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** Deadlocks among virtual threads, and between virtual and platform threads (JDK 21+). */
final class VirtualDeadlocks {

    private VirtualDeadlocks() {
    }

    /** Base for the virtual-thread scenarios: says plainly when the JDK has no virtual threads. */
    abstract static class OnVirtualThreads implements Scenario {
        final DeadlockRun deadlock = new DeadlockRun();

        @Override
        public final void run(Deadline end) throws InterruptedException {
            if (!VirtualThreads.available()) {
                System.out.println("demo: " + name() + ": needs JDK 21+ (virtual threads); this is JDK "
                        + Runtime.version().feature());
                return;
            }
            stage(end);
        }

        abstract void stage(Deadline end) throws InterruptedException;
    }

    /** Two virtual threads, one named and one not, lock two ReentrantLocks in opposite order. */
    static final class LockAbba extends OnVirtualThreads {
        private final ReentrantLock a = new ReentrantLock();
        private final ReentrantLock b = new ReentrantLock();

        @Override
        public String name() {
            return "virtual-lock-abba";
        }

        @Override
        public String description() {
            return "two virtual threads (one unnamed) lock two ReentrantLocks in opposite order (JDK 21+)";
        }

        @Override
        void stage(Deadline end) throws InterruptedException {
            deadlock.virtualThread("vt-A-then-B", () -> both(a, b))
                    .virtualThread(null, () -> both(b, a))
                    .run(name(), end);
        }

        private void both(ReentrantLock first, ReentrantLock second) throws InterruptedException {
            first.lock();
            try {
                deadlock.firstLockHeld();
                second.lock();
                second.unlock();
            } finally {
                first.unlock();
            }
        }
    }

    /** A virtual reader and a platform thread: read lock vs write lock, and a ReentrantLock. */
    static final class Mixed extends OnVirtualThreads {
        private final ReentrantReadWriteLock table = new ReentrantReadWriteLock();
        private final ReentrantLock journal = new ReentrantLock();

        @Override
        public String name() {
            return "virtual-mixed";
        }

        @Override
        public String description() {
            return "a virtual thread holds a read lock and wants a ReentrantLock a platform thread holds while it "
                    + "wants the write lock (JDK 21+)";
        }

        @Override
        void stage(Deadline end) throws InterruptedException {
            deadlock.virtualThread("vt-read-then-journal", this::readThenJournal)
                    .thread("pt-journal-then-write", this::journalThenWrite)
                    .run(name(), end);
        }

        private void readThenJournal() throws InterruptedException {
            table.readLock().lock();
            try {
                deadlock.firstLockHeld();
                journal.lock();
                journal.unlock();
            } finally {
                table.readLock().unlock();
            }
        }

        private void journalThenWrite() throws InterruptedException {
            journal.lock();
            try {
                deadlock.firstLockHeld();
                table.writeLock().lock();
                table.writeLock().unlock();
            } finally {
                journal.unlock();
            }
        }
    }

    /** A virtual thread holds a lock across Future.get on a platform pool whose task needs the lock. */
    static final class Handoff extends OnVirtualThreads {
        private final ReentrantLock account = new ReentrantLock();
        private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vt-pool-worker");
            t.setDaemon(true);
            return t;
        });

        @Override
        public String name() {
            return "virtual-handoff";
        }

        @Override
        public String description() {
            return "a virtual thread holds a ReentrantLock across Future.get on a pool task that needs it (JDK 21+)";
        }

        @Override
        void stage(Deadline end) throws InterruptedException {
            deadlock.virtualThread("vt-holder", this::holdAndWait).run(name(), end);
        }

        private void holdAndWait() throws InterruptedException {
            account.lock();
            try {
                Future<?> audit = pool.submit(() -> {
                    account.lock();
                    account.unlock();
                });
                deadlock.firstLockHeld();
                audit.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            } finally {
                account.unlock();
            }
        }
    }
}
