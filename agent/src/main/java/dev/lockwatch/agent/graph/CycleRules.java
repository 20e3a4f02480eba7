package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tells whether a cycle of lock orders can really deadlock. A deadlock along a cycle of {@code n} orders needs
 * {@code n} threads, each holding the first lock of one order and waiting for its second, all at once; a cycle
 * where that cannot happen is benign. Pure functions of the cycle (and of the graph's write-locked marks).
 *
 * <p>The rules are JCarder's gated and single-threaded cycles, and a third for read-write locks; {@link #why}
 * tries them in this order and names the first that holds.
 */
public final class CycleRules {
    /** Why a cycle cannot deadlock. */
    public enum Benign {
        /**
         * One lock was held exclusively at every occurrence of every order of the cycle: the threads of the
         * cycle would all need it at once, so at most one of them is ever inside the cycle.
         */
        GATE,
        /**
         * The orders cannot be given to pairwise distinct threads (no perfect matching of orders to the threads
         * that took them): one thread cannot deadlock with itself, and a thread cannot wait in two places.
         */
        SINGLE_THREAD,
        /** Every order is between read locks, and none of the cycle's read-write locks is ever write-locked. */
        READ_ONLY
    }

    private CycleRules() {
    }

    /** Null when the cycle can deadlock and must be reported; otherwise the first rule that makes it benign. */
    public static Benign why(List<OrderEdge> cycle, OrderGraph graph) {
        if (gated(cycle)) {
            return Benign.GATE;
        }
        if (!distinctThreads(cycle)) {
            return Benign.SINGLE_THREAD;
        }
        if (readOnly(cycle, graph)) {
            return Benign.READ_ONLY;
        }
        return null;
    }

    /** Some order of the cycle was only ever taken with a timed tryLock: the deadlock would end by itself. */
    public static boolean timed(List<OrderEdge> cycle) {
        for (OrderEdge e : cycle) {
            if (e.timed()) {
                return true;
            }
        }
        return false;
    }

    private static boolean gated(List<OrderEdge> cycle) {
        int[] common = cycle.get(0).gates();
        for (int i = 1; i < cycle.size() && common.length > 0; i++) {
            int[] next = cycle.get(i).gates();
            int n = 0;
            for (int g : common) {
                if (Arrays.binarySearch(next, g) >= 0) { // gates are sorted
                    common[n++] = g;
                }
            }
            common = Arrays.copyOf(common, n);
        }
        return common.length > 0;
    }

    /**
     * Kuhn's augmenting paths: orders on one side, threads on the other. An order taken by many threads (its
     * thread set is capped) can always get a thread of its own, so it is left out of the matching.
     */
    private static boolean distinctThreads(List<OrderEdge> cycle) {
        List<long[]> candidates = new ArrayList<>();
        for (OrderEdge e : cycle) {
            if (!e.manyThreads()) {
                candidates.add(e.threads());
            }
        }
        Matching m = new Matching(candidates);
        for (int order = 0; order < candidates.size(); order++) {
            if (!m.assign(order, new ArrayList<>())) {
                return false;
            }
        }
        return true;
    }

    /** Orders matched to threads so far; the thread sets are small (at most {@link OrderEdge#MAX_THREADS}). */
    private static final class Matching {
        private final List<long[]> threadsOf;
        private final List<Long> threads = new ArrayList<>();
        private final List<Integer> orderOf = new ArrayList<>();

        Matching(List<long[]> threadsOf) {
            this.threadsOf = threadsOf;
        }

        /** Finds a thread for {@code order}, moving earlier orders to other threads of theirs if need be. */
        boolean assign(int order, List<Long> tried) {
            for (long t : threadsOf.get(order)) {
                if (tried.contains(t)) {
                    continue;
                }
                tried.add(t);
                int at = threads.indexOf(t);
                if (at < 0) {
                    threads.add(t);
                    orderOf.add(order);
                    return true;
                }
                if (assign(orderOf.get(at), tried)) {
                    orderOf.set(at, order);
                    return true;
                }
            }
            return false;
        }
    }

    private static boolean readOnly(List<OrderEdge> cycle, OrderGraph graph) {
        for (OrderEdge e : cycle) {
            if (!e.readOnly() || graph.isWriteLocked(e.from())) { // every lock of the cycle is some order's from
                return false;
            }
        }
        return true;
    }
}
