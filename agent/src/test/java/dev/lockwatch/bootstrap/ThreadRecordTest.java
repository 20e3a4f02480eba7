package dev.lockwatch.bootstrap;

import org.junit.jupiter.api.Test;

import java.lang.ref.ReferenceQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The per-thread hold list: what the watchdog reads of a thread's locks. */
class ThreadRecordTest {
    private final ThreadRecord record = new ThreadRecord(Thread.currentThread(), new ReferenceQueue<>());
    private final Object[] locks = new Object[ThreadRecord.maxHeld()];
    private final int[] sites = new int[locks.length];
    private final byte[] modes = new byte[locks.length];

    @Test
    void holdsAreDroppedInAnyOrderAndReleasedLocksAreNotReferenced() {
        Object a = new Object();
        Object b = new Object();
        record.push(a, 1, ThreadRecord.EXCLUSIVE);
        record.push(b, 2, ThreadRecord.READ);
        record.pop(a);
        assertEquals(1, record.copyHolds(locks, sites, modes));
        assertSame(b, locks[0]);
        assertEquals(2, sites[0]);
        record.pop(b);
        assertEquals(0, record.copyHolds(locks, sites, modes));
    }

    @Test
    void releasingAHoldTakenPastTheLimitKeepsTheRecordedOnes() {
        Object outer = new Object();
        record.push(outer, 7, ThreadRecord.READ);
        for (int i = 1; i < ThreadRecord.maxHeld(); i++) {
            record.push(new Object(), 0, ThreadRecord.EXCLUSIVE);
        }
        record.push(outer, 8, ThreadRecord.READ); // a re-entry past the limit: not recorded
        assertEquals(ThreadRecord.maxHeld(), record.copyHolds(locks, sites, modes));

        record.pop(outer); // releases the unrecorded re-entry, not the recorded outer hold
        assertEquals(ThreadRecord.maxHeld(), record.copyHolds(locks, sites, modes));
        assertSame(outer, locks[0]);
        assertEquals(7, sites[0]);
    }
}
