package dev.lockwatch.bootstrap;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The most recent task submissions (task, pool), so that the watchdog can tell which pool a queued task waits
 * in. A ring of {@value #SIZE} slots: each submission claims the next slot with one atomic increment and
 * publishes its entry with a release store; the watchdog reads slots with acquire loads. Entries refer to the
 * task and the pool weakly, so the ring never keeps either alive; an entry overwritten before its task ran
 * just means that task's pool is unknown (and then no edge is drawn: no guessing).
 *
 * <p>A submission allocates one object, its entry: the weak reference to the pool is shared by every
 * submission a thread makes to the same pool in a row (the submitting thread's record keeps the last one).
 */
public final class Submissions {
    private static final int SIZE = 4096;
    private static final AtomicReferenceArray<Entry> RING = new AtomicReferenceArray<>(SIZE);
    private static final AtomicLong NEXT = new AtomicLong();

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

    static void add(Object task, Object pool, ThreadRecord submitter) {
        WeakReference<Object> poolRef = submitter.lastPool;
        if (poolRef == null || poolRef.get() != pool) {
            poolRef = new WeakReference<>(pool);
            submitter.lastPool = poolRef;
        }
        RING.setRelease((int) (NEXT.getAndIncrement() & (SIZE - 1)), new Entry(task, poolRef));
    }

    /** The submissions still in the ring whose task is alive, newest first. */
    public static List<Entry> recent() {
        List<Entry> entries = new ArrayList<>();
        long next = NEXT.get();
        for (long i = next - 1; i >= 0 && i >= next - SIZE; i--) {
            Entry e = RING.getAcquire((int) (i & (SIZE - 1)));
            if (e != null && e.get() != null) {
                entries.add(e);
            }
        }
        return entries;
    }
}
