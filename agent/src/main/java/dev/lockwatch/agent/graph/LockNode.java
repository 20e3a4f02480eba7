package dev.lockwatch.agent.graph;

import java.util.Arrays;

/**
 * One lock of the order graph: its orders out and in, and the component of the order it belongs to. Edge arrays
 * are unordered; an edge knows its slot in each, so it is removed in O(1) by moving the last edge into its slot.
 */
final class LockNode {
    private static final OrderEdge[] NO_EDGES = {};

    final int id;
    boolean writeLocked;
    Component component;
    /** The next member of {@link #component}: members form a circular list, so two components join in O(1). */
    LockNode nextMember = this;

    OrderEdge[] out = NO_EDGES;
    int outCount;
    OrderEdge[] in = NO_EDGES;
    int inCount;

    /** The epoch of the last search that reached this lock; {@link #value} holds what that search noted here. */
    long seen;
    int value;
    /** On the path of the running cycle enumeration; always false between calls. */
    boolean onPath;

    LockNode(int id) {
        this.id = id;
    }

    void addOut(OrderEdge e) {
        if (outCount == out.length) {
            out = grown(out);
        }
        e.outSlot = outCount;
        out[outCount++] = e;
    }

    void removeOut(OrderEdge e) {
        OrderEdge last = out[--outCount];
        out[e.outSlot] = last;
        last.outSlot = e.outSlot;
        out[outCount] = null;
    }

    void addIn(OrderEdge e) {
        if (inCount == in.length) {
            in = grown(in);
        }
        e.inSlot = inCount;
        in[inCount++] = e;
    }

    void removeIn(OrderEdge e) {
        OrderEdge last = in[--inCount];
        in[e.inSlot] = last;
        last.inSlot = e.inSlot;
        in[inCount] = null;
    }

    /** Grows by half: most locks have one or two orders, a few (a lock taken around everything) have thousands. */
    private static OrderEdge[] grown(OrderEdge[] edges) {
        return Arrays.copyOf(edges, edges.length + (edges.length >> 1) + 2);
    }
}
