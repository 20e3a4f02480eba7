package dev.lockwatch.bootstrap;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who holds a semaphore's permits, as far as the agent can know it. A {@code Semaphore} has no owner: any thread
 * may release a permit, so "the threads that took its permits and have not released them" names its holders only
 * while every release came from a thread that had taken that permit. Each thread notes its own takes and releases
 * in its {@link ThreadRecord} (called from the hooks in {@code Semaphore$Sync}: {@code nonfairTryAcquireShared},
 * {@code FairSync.tryAcquireShared}, {@code tryReleaseShared}); a semaphore whose permits cannot be attributed
 * any more is marked <em>uncertain</em> here, for as long as it lives:
 * <ul>
 *   <li>a thread released more permits than it had taken (a hand-off, or permits added by {@code release()});</li>
 *   <li>a thread held permits of more than {@link ThreadRecord#PERMIT_SLOTS} semaphores at once (a take not noted);</li>
 *   <li>{@code drainPermits} or {@code reducePermits} changed the count without an acquire.</li>
 * </ul>
 * The watchdog draws no wait-for edge to the holders of an uncertain semaphore: a report missed, never a false one.
 *
 * <p>Protocol: the set is a {@link ConcurrentHashMap} (CAS-based) of weak keys compared by identity; it never keeps
 * a semaphore alive, and entries of collected semaphores are dropped at the next marking or by the watchdog. A
 * thread remembers the last semaphore it marked ({@code lastUncertain}), so a producer that releases the same
 * semaphore again and again looks it up once: no allocation per release.
 */
public final class Permits {
    private static final ConcurrentHashMap<Uncertain, Boolean> UNCERTAIN = new ConcurrentHashMap<>();
    private static final ReferenceQueue<Object> COLLECTED = new ReferenceQueue<>();

    private Permits() {
    }

    /** A weak key, equal to another for the same live semaphore synchronizer. */
    static final class Uncertain extends WeakReference<Object> {
        private final int hash;

        Uncertain(Object sync, ReferenceQueue<Object> queue) {
            super(sync, queue);
            hash = System.identityHashCode(sync);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            if (!(o instanceof Uncertain)) {
                return false;
            }
            Object mine = get();
            return mine != null && mine == ((Uncertain) o).get();
        }
    }

    static void markUncertain(ThreadRecord r, Object sync) {
        WeakReference<Object> last = r.lastUncertain;
        if (last != null && last.get() == sync) {
            return;
        }
        r.suppressed++; // the reference queue's lock is the JDK's own; its wait must not be recorded
        try {
            purge();
        } finally {
            r.suppressed--;
        }
        Uncertain key = new Uncertain(sync, COLLECTED);
        UNCERTAIN.putIfAbsent(key, Boolean.TRUE);
        r.lastUncertain = key;
    }

    /** Whether the permits of {@code sync} can no longer be attributed to the threads that took them. Watchdog. */
    public static boolean uncertain(Object sync) {
        purge();
        return UNCERTAIN.containsKey(new Uncertain(sync, null));
    }

    private static void purge() {
        Reference<?> gone;
        while ((gone = COLLECTED.poll()) != null) {
            UNCERTAIN.remove(gone);
        }
    }

    // ---- called from code inlined into Semaphore$Sync (through Registry) ------------------------------------

    /**
     * Listed, then marked as taking, both before the JDK's compare-and-set on the state: a watchdog that reads the
     * state, then the listed records, finds every thread whose take the state counts.
     */
    static void taking(Object sync) {
        ThreadRecord r = Registry.current();
        if (!r.listed) {
            Registry.listRecord(r);
        }
        r.permitTaking(sync);
    }

    /** {@code result}: what the try-acquire returned, the permits left, negative when it failed. */
    static void tried(int result, Object sync, int acquires) {
        ThreadRecord r = Registry.current();
        if (result >= 0 && !r.permitsTaken(sync, acquires)) {
            markUncertain(r, sync);
        }
        r.permitTaking(null);
    }

    static void released(Object sync, int releases) {
        ThreadRecord r = Registry.current();
        if (!r.permitsReleased(sync, releases)) {
            markUncertain(r, sync);
        }
    }

    /** {@code r} replaces {@code before} as its thread's record: the semaphores {@code before} held permits of become uncertain. */
    static void replaced(ThreadRecord r, ThreadRecord before) {
        Object[] syncs = new Object[ThreadRecord.PERMIT_SLOTS];
        int n = before.copyPermits(syncs, new int[syncs.length]);
        for (int i = 0; i < n; i++) {
            markUncertain(r, syncs[i]);
        }
    }

    static void changedWithoutAcquire(Object sync) {
        markUncertain(Registry.current(), sync);
    }
}
