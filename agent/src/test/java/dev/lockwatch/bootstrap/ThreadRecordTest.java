package dev.lockwatch.bootstrap;

import org.junit.jupiter.api.Test;

import java.lang.ref.ReferenceQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-thread hold list: a hold is noted when a lock is taken, nothing is done when it is released, and the
 * JDK's own state decides which entries still stand (ThreadRecord's protocol).
 */
class ThreadRecordTest {
    private final ThreadRecord record = new ThreadRecord(Thread.currentThread(), new ReferenceQueue<>());
    private final Object[] locks = new Object[ThreadRecord.maxHeld()];
    private final int[] sites = new int[locks.length];
    private final byte[] modes = new byte[locks.length];

    private int valid() {
        return record.copyValidHolds(locks, sites, modes);
    }

    @Test
    void aReleasedLockIsPrunedAtTheNextAcquisitionAndIsNoLongerReferenced() {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        a.lock();
        record.push(a, 1, ThreadRecord.EXCLUSIVE);
        a.unlock(); // not recorded
        assertEquals(0, valid(), "the JDK no longer confirms a");
        b.lock();
        try {
            record.push(b, 2, ThreadRecord.EXCLUSIVE);
            assertEquals(1, record.copyHolds(locks, sites, modes), "a was pruned off the top");
            assertSame(b, locks[0]);
            assertEquals(2, sites[0]);
        } finally {
            b.unlock();
        }
    }

    @Test
    void takingTheSameLockAgainInALoopKeepsOneEntryWithTheLatestSite() {
        ReentrantLock a = new ReentrantLock();
        for (int i = 1; i <= 100; i++) {
            a.lock();
            record.push(a, i, ThreadRecord.EXCLUSIVE);
            a.unlock();
        }
        assertEquals(1, record.copyHolds(locks, sites, modes));
        assertEquals(100, sites[0]);
    }

    @Test
    void aReentryKeepsTheOuterSite() {
        ReentrantLock a = new ReentrantLock();
        a.lock();
        record.push(a, 7, ThreadRecord.EXCLUSIVE);
        a.lock();
        record.push(a, 8, ThreadRecord.EXCLUSIVE);
        try {
            assertEquals(1, valid());
            assertEquals(7, sites[0], "the re-entry at site 8 does not replace where the lock was first taken");
        } finally {
            a.unlock();
            a.unlock();
        }
    }

    /** Issue 10, item 3: 40 locks released in the order taken left 8 recorded holds behind. */
    @Test
    void fortyLocksReleasedInTheOrderTakenLeaveNoConfirmedHold() {
        ReentrantLock[] taken = new ReentrantLock[40];
        for (int i = 0; i < taken.length; i++) {
            taken[i] = new ReentrantLock();
            taken[i].lock();
            record.push(taken[i], i + 1, ThreadRecord.EXCLUSIVE);
        }
        assertEquals(ThreadRecord.maxHeld(), valid(), "the first 32 are recorded, deeper ones are not");
        for (ReentrantLock l : taken) {
            l.unlock(); // first in, first out
        }
        assertEquals(0, valid());
        ReentrantLock next = new ReentrantLock();
        next.lock();
        try {
            record.push(next, 99, ThreadRecord.EXCLUSIVE);
            assertEquals(1, record.copyHolds(locks, sites, modes), "every released entry was pruned");
            assertSame(next, locks[0]);
        } finally {
            next.unlock();
        }
    }

    @Test
    void nonLifoReleaseKeepsTheLockStillHeldUnderneath() {
        ReentrantLock outer = new ReentrantLock();
        ReentrantLock inner = new ReentrantLock();
        ReentrantLock third = new ReentrantLock();
        outer.lock();
        record.push(outer, 1, ThreadRecord.EXCLUSIVE);
        inner.lock();
        record.push(inner, 2, ThreadRecord.EXCLUSIVE);
        outer.unlock(); // released first
        third.lock();
        record.push(third, 3, ThreadRecord.EXCLUSIVE);
        try {
            assertEquals(2, valid(), "inner and third, not outer");
            assertSame(inner, locks[0]);
            assertSame(third, locks[1]);
        } finally {
            third.unlock();
            inner.unlock();
        }
    }

    @Test
    void monitorsArePushedAndPoppedExactly() {
        Object m = new Object();
        Object n = new Object();
        record.push(m, 1, ThreadRecord.MONITOR);
        record.push(n, 2, ThreadRecord.MONITOR);
        record.popMonitor(n);
        assertEquals(1, valid());
        assertSame(m, locks[0]);
        record.popMonitor(m);
        assertEquals(0, record.copyHolds(locks, sites, modes));
        assertNull(locks[1]);
    }

    /**
     * A ReentrantLock's ghost is never reused as a monitor's entry, even at the same site id (a lock call and a
     * synchronized block on the same field on one line read alike): the monitor would be recorded as an exclusive
     * lock, and its monitorexit would not find it.
     */
    @Test
    void aLocksGhostAtTheSameSiteIsNotTakenForAMonitorEntry() {
        ReentrantLock outer = new ReentrantLock();
        ReentrantLock inner = new ReentrantLock();
        acquire(outer, 1);
        try {
            acquire(inner, 2);
            inner.unlock(); // not recorded
            acquire(outer, 1); // a re-entry of the outer one: the released inner becomes the ghost above it
            assertEquals(1, valid());
            assertFalse(record.monitorAgain(inner, 2),
                    "the ghost was an exclusive hold, not a monitor entry");
            record.push(inner, 2, ThreadRecord.MONITOR);
            assertEquals(ThreadRecord.MONITOR, modes[record.copyHolds(locks, sites, modes) - 1]);
            assertTrue(record.monitorExitedOnTop(inner));
            assertEquals(1, record.copyHolds(locks, sites, modes));
            outer.unlock();
        } finally {
            outer.unlock();
        }
    }

    @Test
    void aReadHoldIsConfirmedByTheJdksReadCountForThisThread() {
        ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        rw.readLock().lock();
        record.push(rw.readLock(), 5, ThreadRecord.READ);
        assertEquals(Locks.ready() ? 1 : 0, valid(), "confirmed where the JDK's read count can be read");
        rw.readLock().unlock();
        assertEquals(0, valid());
    }

    /** What a rewritten call site does: plan before the lock, apply after (CallSites). */
    private void acquire(ReentrantLock lock, int site) {
        int plan = record.plan(lock, site);
        lock.lock();
        if (plan >= 0) {
            record.count(plan, lock, site);
        } else if (plan == ThreadRecord.SLOW) {
            record.push(lock, site, ThreadRecord.EXCLUSIVE);
        }
    }

    @Test
    void aNestedPatternRepeatedTakesTheFastPathAndStaysExact() {
        ReentrantLock outer = new ReentrantLock();
        ReentrantLock inner = new ReentrantLock();
        for (int i = 0; i < 3; i++) {
            if (i > 0) {
                assertEquals(1, record.plan(outer, 1), "outer again: the released inner becomes the ghost (count 1)");
            }
            acquire(outer, 1);
            if (i > 0) {
                assertEquals(2, record.plan(inner, 2), "inner again: the ghost is reused (count 2)");
            }
            acquire(inner, 2);
            assertEquals(2, valid(), "both held");
            assertSame(outer, locks[0]);
            assertSame(inner, locks[1]);
            assertEquals(2, sites[1]);
            inner.unlock();
            assertEquals(1, valid(), "the JDK no longer confirms inner");
            outer.unlock();
            assertEquals(0, valid());
        }
    }

    @Test
    void theSameLockAtTheSameSiteChangesNothing() {
        ReentrantLock a = new ReentrantLock();
        acquire(a, 5);
        a.unlock();
        assertEquals(ThreadRecord.NOTHING, record.plan(a, 5));
        assertEquals(ThreadRecord.SLOW, record.plan(a, 6), "another site goes to the slow path");
    }

    /** A ghost is dropped by the first acquisition that does not take it again: no released lock lingers. */
    @Test
    void aGhostIsDroppedByTheNextAcquisitionThatDoesNotReuseIt() {
        ReentrantLock outer = new ReentrantLock();
        ReentrantLock inner = new ReentrantLock();
        ReentrantLock other = new ReentrantLock();
        acquire(outer, 1);
        acquire(inner, 2);
        inner.unlock();
        outer.unlock();
        acquire(outer, 1); // inner: a ghost above the count
        acquire(other, 3); // not inner: the ghost goes, other takes its slot
        assertEquals(2, record.copyHolds(locks, sites, modes));
        assertSame(other, locks[1]);
        other.unlock();
        outer.unlock();
        acquire(outer, 1);
        acquire(outer, 1); // a second acquisition at depth 0 drops the ghost (other) too
        outer.unlock();
        outer.unlock();
        assertEquals(1, record.copyHolds(locks, sites, modes));
        assertEquals(ThreadRecord.NOTHING, record.plan(outer, 1), "and the loop is on the fast path again");
    }
}
