package dev.lockwatch.agent.graph;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The order "some thread took {@code to} while it held {@code from}", with what all its occurrences have in
 * common: what a cycle rule needs to tell whether a cycle through it can really deadlock.
 *
 * <p>Each attribute only ever moves towards "more dangerous" (more threads, fewer gates, untimed, more modes), so
 * a cycle found benign can become reportable later but never the reverse; {@link #absorb} says when that
 * happens. An edge is live: it changes in place as occurrences arrive, on the watchdog thread that owns the
 * graph. Once either lock is removed from the graph the edge is detached and no longer changes.
 */
public final class OrderEdge {
    /** Distinct threads remembered per order; one more and the order counts as taken by many threads. */
    public static final int MAX_THREADS = 8;
    private static final int[] NO_GATES = {};

    final LockNode source;
    final LockNode target;
    /** Positions in {@code source}'s outgoing and {@code target}'s incoming edges, so removal is O(1). */
    int outSlot;
    int inSlot;

    private final Object payload;
    private long[] threads;
    private int threadCount;
    private boolean manyThreads;
    /** Sorted, distinct; the intersection of every occurrence's gates. */
    private int[] gates;
    private boolean timed;
    private int fromModes;
    private int toModes;
    private long count;

    OrderEdge(LockNode source, LockNode target, Occurrence first) {
        this.source = source;
        this.target = target;
        this.payload = first.payload();
        this.threads = new long[] {first.thread()};
        this.threadCount = 1;
        this.gates = firstGates(first.gates(), source.id, target.id);
        this.timed = first.timed();
        this.fromModes = first.fromMode().bit();
        this.toModes = first.toMode().bit();
        this.count = 1;
    }

    /**
     * Adds one more occurrence. Returns true when that widened the order in a way that can turn a benign cycle
     * through it into a reportable one: a thread not seen before, a gate no longer always held, an untimed
     * acquisition of an order that was only ever timed, a mode not seen before.
     */
    boolean absorb(Occurrence o) {
        count++;
        boolean widened = addThread(o.thread());
        if (gates.length > 0) {
            int[] kept = keepCommon(gates, o.gates());
            if (kept.length < gates.length) {
                gates = kept;
                widened = true;
            }
        }
        if (timed && !o.timed()) {
            timed = false;
            widened = true;
        }
        int from = fromModes | o.fromMode().bit();
        int to = toModes | o.toMode().bit();
        if (from != fromModes || to != toModes) {
            fromModes = from;
            toModes = to;
            widened = true;
        }
        return widened;
    }

    private boolean addThread(long thread) {
        if (manyThreads) {
            return false; // nothing more to learn: the rules already count this order as taken by many threads
        }
        for (int i = 0; i < threadCount; i++) {
            if (threads[i] == thread) {
                return false;
            }
        }
        if (threadCount == MAX_THREADS) {
            manyThreads = true;
            return true;
        }
        if (threadCount == threads.length) {
            threads = Arrays.copyOf(threads, Math.min(MAX_THREADS, 2 * threadCount));
        }
        threads[threadCount++] = thread;
        return true;
    }

    private static int[] firstGates(int[] held, int from, int to) {
        if (held.length == 0) {
            return NO_GATES;
        }
        int[] sorted = held.clone();
        Arrays.sort(sorted);
        int n = 0;
        for (int g : sorted) {
            if (g != from && g != to && (n == 0 || sorted[n - 1] != g)) {
                sorted[n++] = g;
            }
        }
        return n == 0 ? NO_GATES : Arrays.copyOf(sorted, n);
    }

    /** The gates also held this time. A thread holds few locks, so a scan beats sorting a copy. */
    private static int[] keepCommon(int[] gates, int[] held) {
        int[] kept = new int[gates.length];
        int n = 0;
        for (int g : gates) {
            for (int h : held) {
                if (h == g) {
                    kept[n++] = g;
                    break;
                }
            }
        }
        return n == gates.length ? gates : n == 0 ? NO_GATES : Arrays.copyOf(kept, n);
    }

    public int from() {
        return source.id;
    }

    public int to() {
        return target.id;
    }

    /** The distinct threads that took this order, the first {@link #MAX_THREADS} of them when {@link #manyThreads}. */
    public long[] threads() {
        return Arrays.copyOf(threads, threadCount);
    }

    /** More than {@link #MAX_THREADS} distinct threads took this order: the rules count it as taken by many. */
    public boolean manyThreads() {
        return manyThreads;
    }

    /** The locks held exclusively at every occurrence (sorted): an empty array once no lock was always held. */
    public int[] gates() {
        return gates.clone();
    }

    /** Every occurrence took {@code to} with a timed {@code tryLock}. */
    public boolean timed() {
        return timed;
    }

    /** Every mode {@code from} was held in at an occurrence. */
    public Set<LockMode> fromModes() {
        return modes(fromModes);
    }

    /** Every mode {@code to} was taken in at an occurrence. */
    public Set<LockMode> toModes() {
        return modes(toModes);
    }

    /** Both locks were only ever read locks of read-write locks at every occurrence. */
    public boolean readOnly() {
        return fromModes == LockMode.READ.bit() && toModes == LockMode.READ.bit();
    }

    /** The payload of the first occurrence. */
    public Object payload() {
        return payload;
    }

    /** How many occurrences were added, the first one included. */
    public long count() {
        return count;
    }

    private static Set<LockMode> modes(int bits) {
        EnumSet<LockMode> set = EnumSet.noneOf(LockMode.class);
        for (LockMode m : LockMode.values()) {
            if ((bits & m.bit()) != 0) {
                set.add(m);
            }
        }
        return set;
    }

    /** Lock ids only: the payload is the caller's and is never looked at. */
    @Override
    public String toString() {
        return source.id + "->" + target.id;
    }
}
