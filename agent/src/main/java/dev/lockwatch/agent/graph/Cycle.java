package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * One elementary cycle of the wait-for graph: {@code edges.get(i).holder() == edges.get(i + 1).waiter()},
 * and the last edge leads back to the first waiter. Rotated so that the smallest thread id comes first.
 */
public record Cycle(List<WaitEdge> edges) {

    public Cycle {
        edges = List.copyOf(edges);
        if (edges.isEmpty()) {
            throw new IllegalArgumentException("a cycle has at least one edge");
        }
    }

    public List<Long> threadIds() {
        List<Long> ids = new ArrayList<>();
        for (WaitEdge e : edges) {
            ids.add(e.waiter());
        }
        return ids;
    }

    /** A cycle in which some wait has a timeout may still resolve by itself. */
    public boolean timed() {
        for (WaitEdge e : edges) {
            if (e.timed()) {
                return true;
            }
        }
        return false;
    }

    /** Some thread of the cycle waits for a class's initialization, a wait only seen as a thread that does not move. */
    public boolean classInit() {
        for (WaitEdge e : edges) {
            if (e.waitMode() == WaitEdge.Mode.CLASS_INIT) {
                return true;
            }
        }
        return false;
    }

    /**
     * Identifies the cycle while it lasts, in this JVM: the same threads in the same wait episodes, waiting for the
     * same locks held by the same threads, whatever the order in which they were found. Two cycles of the same
     * threads a moment apart (a timed back-off that ends and forms again) have different identities.
     */
    public String identity() {
        List<String> parts = new ArrayList<>();
        for (WaitEdge e : edges) {
            parts.add(e.waiter() + ":" + e.episode() + ">" + e.lock().key() + ">" + e.holder());
        }
        parts.sort(null);
        return String.join(",", parts);
    }

    /**
     * Whether every thread that holds permits a waiter of this cycle needs is itself in the cycle. A semaphore's
     * waiter needs only one holder to release, so a cycle through one holder deadlocks only when no other holder is
     * outside it, free to release. True for a cycle without {@link WaitEdge.Mode#PERMIT} edges.
     */
    public boolean permitHoldersInside(WaitForGraph graph) {
        for (WaitEdge e : edges) {
            if (!permitHoldersInside(e, graph.outgoing(e.waiter()))) {
                return false;
            }
        }
        return true;
    }

    /** The same for one edge of the cycle, given all the edges of its waiter (from a graph, or read again). */
    public boolean permitHoldersInside(WaitEdge e, List<WaitEdge> waiterEdges) {
        return e.permitHoldersAllIn(waiterEdges, threadIds());
    }
}
