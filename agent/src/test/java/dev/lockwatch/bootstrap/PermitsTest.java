package dev.lockwatch.bootstrap;

import org.junit.jupiter.api.Test;

import java.lang.ref.ReferenceQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-thread permit table and the uncertain semaphores (Permits' protocol), without the agent: the calls the
 * Semaphore hooks make, made by hand.
 */
class PermitsTest {
    private final ThreadRecord record = new ThreadRecord(Thread.currentThread(), new ReferenceQueue<>());

    @Test
    void permitsTakenAndReleasedByTheSameThreadAreCountedAndThenForgotten() {
        Object sync = new Object();
        assertTrue(record.permitsTaken(sync, 1));
        assertTrue(record.permitsTaken(sync, 2));
        assertEquals(3, record.permitsOf(sync));
        assertTrue(record.permitsReleased(sync, 1));
        assertEquals(2, record.permitsOf(sync));
        assertTrue(record.permitsReleased(sync, 2));
        assertEquals(0, record.permitsOf(sync));
        Object[] syncs = new Object[ThreadRecord.PERMIT_SLOTS];
        assertEquals(0, record.copyPermits(syncs, new int[syncs.length]), "a released semaphore is not referenced");
        assertNull(syncs[0]);
    }

    @Test
    void aReleaseOfPermitsTheThreadDidNotTakeIsAHandOff() {
        Object sync = new Object();
        assertFalse(record.permitsReleased(sync, 1), "nothing taken");
        assertTrue(record.permitsTaken(sync, 1));
        assertFalse(record.permitsReleased(sync, 2), "more released than taken");
        assertEquals(0, record.permitsOf(sync));
    }

    @Test
    void aThreadHoldingPermitsOfTooManySemaphoresCannotNoteOneMore() {
        for (int i = 0; i < ThreadRecord.PERMIT_SLOTS; i++) {
            assertTrue(record.permitsTaken(new Object(), 1));
        }
        assertFalse(record.permitsTaken(new Object(), 1));
    }

    @Test
    void slotsFreedInAnyOrderAreTakenAgain() {
        Object[] syncs = new Object[ThreadRecord.PERMIT_SLOTS];
        for (int i = 0; i < syncs.length; i++) {
            syncs[i] = new Object();
            assertTrue(record.permitsTaken(syncs[i], 1));
        }
        assertTrue(record.permitsReleased(syncs[3], 1));
        Object again = new Object();
        assertTrue(record.permitsTaken(again, 1), "the hole left by the fourth");
        for (Object s : syncs) {
            record.permitsReleased(s, 1);
        }
        assertTrue(record.permitsReleased(again, 1));
        Object[] copy = new Object[ThreadRecord.PERMIT_SLOTS];
        assertEquals(0, record.copyPermits(copy, new int[copy.length]));
        for (int i = 0; i < syncs.length; i++) {
            assertTrue(record.permitsTaken(new Object(), 1), "slot " + i + " free again");
        }
    }

    @Test
    void aSemaphoreMarkedUncertainStaysSoAndOthersAreNot() {
        Object sync = new Object();
        Object other = new Object();
        assertFalse(Permits.uncertain(sync));
        Permits.markUncertain(record, sync);
        Permits.markUncertain(record, sync); // the second time from the thread's own note: no second entry needed
        assertTrue(Permits.uncertain(sync));
        assertFalse(Permits.uncertain(other));
    }

    @Test
    void takingIsVisibleUntilTheTryAcquireReturns() {
        Object sync = new Object();
        record.permitTaking(sync);
        assertEquals(sync, record.permitTakingAcquire());
        record.permitTaking(null);
        assertNull(record.permitTakingAcquire());
    }
}
