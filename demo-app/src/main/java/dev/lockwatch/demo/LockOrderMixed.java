package dev.lockwatch.demo;

import java.util.concurrent.locks.ReentrantLock;

/** A ReentrantLock and a monitor taken in opposite orders by two threads, one after the other. */
final class LockOrderMixed implements Scenario {

    private static final class Index {
    }

    private final ReentrantLock journal = new ReentrantLock();
    private final Index index = new Index();

    @Override
    public String name() {
        return "lock-order-mixed";
    }

    @Override
    public String description() {
        return "a ReentrantLock then a monitor, and the monitor then the lock, one after the other (LOCK_ORDER)";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        new OrderRun()
                .thread("journal-then-index", this::journalThenIndex)
                .thread("index-then-journal", this::indexThenJournal)
                .run(name(), end);
    }

    private void journalThenIndex() {
        journal.lock();
        try {
            synchronized (index) {
                index.hashCode();
            }
        } finally {
            journal.unlock();
        }
    }

    private void indexThenJournal() {
        synchronized (index) {
            journal.lock();
            try {
                index.hashCode();
            } finally {
                journal.unlock();
            }
        }
    }
}
