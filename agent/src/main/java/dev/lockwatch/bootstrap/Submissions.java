package dev.lockwatch.bootstrap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent task submissions (task, pool), so that the watchdog can tell which pool a queued task waits
 * in. Each submitting thread keeps its own last {@value #PER_THREAD} in a ring in its {@link ThreadRecord}: a
 * submission claims the next slot with a plain increment (only the owner writes its ring) and publishes its entry
 * with a release store; the watchdog reads the slots with acquire loads. No atomic read-modify-write and no
 * shared cache line on the submitter's path: on a pool round trip the submitter's extra time decides how often
 * the worker runs dry and parks, so it must stay as short as it can be. Entries refer to the task and the pool
 * weakly, so the rings never keep either alive; an entry overwritten before its task ran, or lost with its
 * thread's record, just means that task's pool is unknown (and then no edge is drawn: no guessing).
 *
 * <p>A submission allocates one object, its entry: the weak reference to the pool is shared by every
 * submission a thread makes to the same pool in a row (the submitting thread's record keeps the last one).
 */
public final class Submissions {
    /** Submissions remembered per submitting thread (a power of two). */
    static final int PER_THREAD = 64;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Entry[].class);

    private Submissions() {
    }

    /** One submission: the task (weakly, as the referent) and its pool (weakly). */
    public static final class Entry extends WeakReference<Object> {
        private final WeakReference<Object> pool;

        Entry(Object task, WeakReference<Object> pool) {
            super(task);
            this.pool = pool;
        }

        public Object task() {
            return get();
        }

        public Object pool() {
            return pool.get();
        }
    }

    /** Owner thread only. */
    static void add(Object task, Object pool, ThreadRecord submitter) {
        WeakReference<Object> poolRef = submitter.lastPool;
        if (poolRef == null || poolRef.get() != pool) {
            poolRef = new WeakReference<>(pool);
            submitter.lastPool = poolRef;
        }
        Entry[] ring = submitter.submissions;
        if (ring == null) {
            ring = new Entry[PER_THREAD];
            submitter.submissions = ring; // a volatile store, once per thread
        }
        SLOT.setRelease(ring, submitter.submitted++ & (PER_THREAD - 1), new Entry(task, poolRef));
    }

    /** The submissions still remembered whose task is alive, from every listed thread. */
    public static List<Entry> recent() {
        List<Entry> entries = new ArrayList<>();
        for (ThreadRecord r : Registry.listed()) {
            Entry[] ring = r.submissions;
            if (ring == null) {
                continue;
            }
            for (int i = 0; i < ring.length; i++) {
                Entry e = (Entry) SLOT.getAcquire(ring, i);
                if (e != null && e.get() != null) {
                    entries.add(e);
                }
            }
        }
        return entries;
    }
}
