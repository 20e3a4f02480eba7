package dev.lockwatch.agent.graph;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The lock-order graph: an edge {@code u -> v} for every "some thread took lock {@code v} while it held lock
 * {@code u}" reported so far, with what its occurrences had in common. A cycle of such orders is a potential
 * deadlock; {@link CycleRules} tells the benign ones apart.
 *
 * <p>Used by the watchdog thread alone, so nothing here is synchronized. The caller's loop is:
 * <pre>{@code
 * Change c = graph.add(u, v, occurrence);
 * if ((c == Change.NEW || c == Change.WIDENED) && graph.onCycle(u, v)) {
 *     for (List<OrderEdge> cycle : graph.cyclesThrough(u, v, maxCycles, maxLength)) {
 *         if (CycleRules.why(cycle, graph) == null) { report(cycle); }
 *     }
 * }
 * }</pre>
 * {@link #onCycle} is O(1): {@link ComponentOrder} keeps the strongly connected components of the graph in a
 * topological order as orders arrive (Pearce and Kelly's dynamic topological sort, over components). An order
 * that agrees with the order so far, lies inside one component, or has a lock not seen before costs no search;
 * one that goes against it searches only the locks ranked between its two ends. Orders that close cycles stay in
 * the graph, benign or not: a later occurrence can make a benign cycle reportable.
 *
 * <p>Memory is bounded by the constructor's limits; estimates for a 64-bit JVM with compressed references:
 * <ul>
 *   <li>per order: the {@link OrderEdge} (64 bytes), its threads (24 bytes for one thread, 80 for eight), its
 *       gates (nothing when none, else 16 + 4 per gate), a slot in each lock's edge array (about 10 bytes), a
 *       table slot (8 to 16 bytes): about 110 bytes with one thread and no gate, up to about 200; plus the
 *       caller's payload;</li>
 *   <li>per lock: the {@code LockNode} (56 bytes), its two edge arrays' headers (32 bytes once it has orders
 *       both ways), its {@link Component} (48 bytes, shared once it lies on a cycle), a table slot (8 to 16
 *       bytes): about 150 bytes.</li>
 * </ul>
 * Lock ids are arbitrary ints: both tables are hashed ({@link IdTable}), never indexed by id.
 */
public final class OrderGraph {
    /** What {@link #add} did. */
    public enum Change {
        /** The order was not known: it is now an edge. */
        NEW,
        /**
         * A known order changed in a way that can make a benign cycle through it reportable: a new thread, a gate
         * no longer held every time, an untimed acquisition of an order that was only timed, a mode not seen.
         */
        WIDENED,
        /** Nothing that the cycle rules look at changed (the occurrence was still counted), or a self-order. */
        KNOWN,
        /** A new order and the graph is at its bound: nothing was added. */
        FULL
    }

    private final int maxNodes;
    private final int maxEdges;
    private final IdTable<LockNode> locks = new IdTable<>(n -> n.id);
    private final IdTable<OrderEdge> orders = new IdTable<>(e -> key(e.source.id, e.target.id));
    private final ComponentOrder order = new ComponentOrder(locks);

    public OrderGraph(int maxNodes, int maxEdges) {
        if (maxNodes < 2 || maxEdges < 1) {
            throw new IllegalArgumentException("bounds too small: " + maxNodes + " locks, " + maxEdges + " orders");
        }
        this.maxNodes = maxNodes;
        this.maxEdges = maxEdges;
    }

    /** A bound is reached: the next new order may come back {@link Change#FULL}. */
    public boolean full() {
        return orders.size() >= maxEdges || locks.size() >= maxNodes;
    }

    public int nodeCount() {
        return locks.size();
    }

    public int edgeCount() {
        return orders.size();
    }

    /**
     * Records one occurrence of the order {@code from -> to}. An order of a lock after itself (re-entry) is
     * ignored: it returns {@link Change#KNOWN}.
     */
    public Change add(int from, int to, Occurrence occurrence) {
        Objects.requireNonNull(occurrence, "occurrence");
        if (from == to) {
            return Change.KNOWN;
        }
        OrderEdge known = orders.get(key(from, to));
        if (known != null) {
            return known.absorb(occurrence) ? Change.WIDENED : Change.KNOWN;
        }
        LockNode u = locks.get(from);
        LockNode v = locks.get(to);
        int newLocks = (u == null ? 1 : 0) + (v == null ? 1 : 0);
        if (orders.size() >= maxEdges || locks.size() + newLocks > maxNodes) {
            return Change.FULL;
        }
        if (u == null) {
            u = new LockNode(from);
            locks.add(u);
            order.placeFirst(u);
        }
        if (v == null) {
            v = new LockNode(to);
            locks.add(v);
            order.placeLast(v);
        }
        OrderEdge e = new OrderEdge(u, v, occurrence);
        orders.add(e);
        u.addOut(e);
        v.addIn(e);
        order.insert(e);
        return Change.NEW;
    }

    /** The order {@code from -> to}, or null when it was never reported (or one of its locks was removed). */
    public OrderEdge edge(int from, int to) {
        return orders.get(key(from, to));
    }

    /** The orders out of {@code lock}: every cycle through the lock contains exactly one of them. */
    public List<OrderEdge> ordersFrom(int lock) {
        LockNode n = locks.get(lock);
        return n == null ? List.of() : List.of(Arrays.copyOf(n.out, n.outCount));
    }

    /** The order {@code from -> to} is known and lies on a cycle. O(1). */
    public boolean onCycle(int from, int to) {
        OrderEdge e = orders.get(key(from, to));
        return e != null && e.source.component == e.target.component;
    }

    /**
     * A path of one or more orders leads from {@code from} to {@code to}. O(1) when both are in one component or
     * the order rules the path out; otherwise a search of the locks ranked between them.
     */
    public boolean reaches(int from, int to) {
        LockNode a = locks.get(from);
        LockNode b = locks.get(to);
        return a != null && b != null && order.reaches(a, b);
    }

    /**
     * The simple cycles that contain the order {@code from -> to}, each as its orders in cycle order starting with
     * {@code from -> to}: at most {@code maxCycles} of them, of at most {@code maxLength} orders each. The search
     * gives up after {@value SimpleCycles#MAX_STEPS} steps, so it may return fewer on a dense tangle of locks.
     */
    public List<List<OrderEdge>> cyclesThrough(int from, int to, int maxCycles, int maxLength) {
        OrderEdge e = orders.get(key(from, to));
        return e == null ? List.of() : SimpleCycles.through(e, maxCycles, maxLength, order);
    }

    /**
     * Notes that the write lock of read-write lock {@code lock} was taken somewhere, which makes cycles of its
     * read locks able to block. Returns true when that is new: cycles through the lock that were benign as
     * read-only may now be reportable (look at {@link #ordersFrom} and {@link #cyclesThrough}). A lock not yet in
     * the graph is added, unless the graph has no room left, and then the mark is lost and this returns false.
     */
    public boolean markWriteLocked(int lock) {
        LockNode n = locks.get(lock);
        if (n == null) {
            if (locks.size() >= maxNodes) {
                return false;
            }
            n = new LockNode(lock);
            locks.add(n);
            order.placeLast(n);
        }
        if (n.writeLocked) {
            return false;
        }
        n.writeLocked = true;
        return true;
    }

    public boolean isWriteLocked(int lock) {
        LockNode n = locks.get(lock);
        return n != null && n.writeLocked;
    }

    /** The lock was garbage-collected: it and all its orders leave the graph, which frees room. */
    public void removeNode(int lock) {
        LockNode n = locks.remove(lock);
        if (n == null) {
            return;
        }
        for (int i = 0; i < n.outCount; i++) {
            OrderEdge e = n.out[i];
            e.target.removeIn(e);
            orders.remove(key(e.source.id, e.target.id));
        }
        for (int i = 0; i < n.inCount; i++) {
            OrderEdge e = n.in[i];
            e.source.removeOut(e);
            orders.remove(key(e.source.id, e.target.id));
        }
        n.out = null;
        n.in = null;
        n.outCount = 0;
        n.inCount = 0;
        order.remove(n);
    }

    /** Components and locks visited by searches so far: for tests of what an insertion costs. */
    long searchSteps() {
        return order.steps();
    }

    /** The rank of {@code lock}'s component: for tests of the order's invariant. */
    long rank(int lock) {
        return locks.get(lock).component.rank;
    }

    private static long key(int from, int to) {
        return ((long) from << 32) | (to & 0xFFFFFFFFL);
    }
}
