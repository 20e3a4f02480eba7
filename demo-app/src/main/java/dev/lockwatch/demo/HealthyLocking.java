package dev.lockwatch.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Busy locking that must never be reported: every thread takes nested locks in one global order (a before b,
 * outer before inner), and the only long waits are on a live holder or end in a timeout. A detector that reports
 * anything here has a false positive.
 */
final class HealthyLocking implements Scenario {

    private static final long LONG_HOLD_MILLIS = 2_000;

    private static final class OuterMonitor {
    }

    private static final class InnerMonitor {
    }

    private final ReentrantLock a = new ReentrantLock();
    private final ReentrantLock b = new ReentrantLock();
    /** Awaited while holding a only: await releases a, so the waiter holds nothing while it waits. */
    private final Condition aNudged = a.newCondition();
    private final OuterMonitor outer = new OuterMonitor();
    private final InnerMonitor inner = new InnerMonitor();
    private final ReentrantReadWriteLock table = new ReentrantReadWriteLock();
    /** Fair, so the long holder cannot barge back in ahead of the threads queued for c. */
    private final ReentrantLock c = new ReentrantLock(true);

    private final LongAdder lockOperations = new LongAdder();
    private long version; // guarded by table

    @Override
    public String name() {
        return "healthy";
    }

    @Override
    public String description() {
        return "busy locking in one order, long holds and timeouts, never a deadlock: must never be reported";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            threads.add(ThreadBody.daemon("healthy-worker-" + i, this::work));
        }
        threads.add(ThreadBody.daemon("healthy-reader-1", this::read));
        threads.add(ThreadBody.daemon("healthy-reader-2", this::read));
        threads.add(ThreadBody.daemon("healthy-writer", this::write));
        threads.add(ThreadBody.daemon("healthy-long-holder", this::holdCForLong));
        threads.add(ThreadBody.daemon("healthy-waiter", this::waitForC));
        threads.add(ThreadBody.daemon("healthy-impatient", this::tryForC));
        threads.forEach(Thread::start);
        end.sleepUntil();
        System.out.println("demo: healthy: done, " + lockOperations.sum() + " lock operations");
    }

    private void work() throws InterruptedException {
        for (long round = 0; ; round++) {
            switch ((int) (round % 4)) {
                case 0 -> lockAThenB();
                case 1 -> awaitNudgeThenLockB();
                case 2 -> tryAThenB();
                default -> outerThenInner();
            }
        }
    }

    private void lockAThenB() {
        a.lock();
        try {
            b.lock();
            try {
                lockOperations.add(2);
            } finally {
                b.unlock();
            }
            aNudged.signal();
        } finally {
            a.unlock();
        }
    }

    private void awaitNudgeThenLockB() throws InterruptedException {
        a.lockInterruptibly();
        try {
            aNudged.await(1, TimeUnit.MILLISECONDS); // a nudge or the timeout, either is fine
            b.lockInterruptibly();
            try {
                lockOperations.add(2);
            } finally {
                b.unlock();
            }
        } finally {
            a.unlock();
        }
    }

    private void tryAThenB() throws InterruptedException {
        if (!a.tryLock()) {
            return;
        }
        try {
            if (b.tryLock(1, TimeUnit.MILLISECONDS)) {
                try {
                    lockOperations.add(2);
                } finally {
                    b.unlock();
                }
            }
        } finally {
            a.unlock();
        }
    }

    private void outerThenInner() {
        synchronized (outer) {
            synchronized (inner) {
                lockOperations.add(2);
            }
        }
    }

    private void read() {
        long lastSeen = 0;
        while (true) {
            table.readLock().lock();
            try {
                lockOperations.increment();
                if (version < lastSeen) {
                    throw new IllegalStateException("version went back");
                }
                lastSeen = version;
            } finally {
                table.readLock().unlock();
            }
        }
    }

    /** Downgrades write to read, which is legal; the reverse is the rw-upgrade deadlock. */
    private void write() {
        while (true) {
            long written;
            table.writeLock().lock();
            try {
                written = ++version;
                table.readLock().lock(); // taken before the write lock is released: no writer can slip in
            } finally {
                table.writeLock().unlock();
            }
            try {
                lockOperations.add(2);
                if (version != written) {
                    throw new IllegalStateException("another writer got in during the downgrade");
                }
            } finally {
                table.readLock().unlock();
            }
        }
    }

    /** Holds c for seconds at a time: the waiters below wait long, but on a holder that is making progress. */
    private void holdCForLong() throws InterruptedException {
        while (true) {
            c.lock();
            try {
                lockOperations.increment();
                Thread.sleep(LONG_HOLD_MILLIS);
            } finally {
                c.unlock();
            }
        }
    }

    private void waitForC() {
        while (true) {
            c.lock();
            try {
                lockOperations.increment();
            } finally {
                c.unlock();
            }
        }
    }

    private void tryForC() throws InterruptedException {
        while (true) {
            if (c.tryLock(50, TimeUnit.MILLISECONDS)) {
                try {
                    lockOperations.increment();
                } finally {
                    c.unlock();
                }
            }
        }
    }
}
