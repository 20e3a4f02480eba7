package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of who waits for whom. Built by the watchdog from the registry and the JVM, or by hand
 * in tests; the cycle finder is a pure function of it.
 */
public final class WaitForGraph {
    private final Map<Long, ThreadNode> nodes;
    private final Map<Long, List<WaitEdge>> outgoing;
    private final List<WaitEdge> edges;

    private WaitForGraph(Map<Long, ThreadNode> nodes, List<WaitEdge> edges) {
        this.nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
        this.edges = List.copyOf(edges);
        Map<Long, List<WaitEdge>> out = new LinkedHashMap<>();
        for (WaitEdge e : this.edges) {
            out.computeIfAbsent(e.waiter(), k -> new ArrayList<>()).add(e);
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        this.outgoing = Collections.unmodifiableMap(out);
    }

    public ThreadNode node(long id) {
        return nodes.get(id);
    }

    public Map<Long, ThreadNode> nodes() {
        return nodes;
    }

    public List<WaitEdge> edges() {
        return edges;
    }

    public List<WaitEdge> outgoing(long waiter) {
        return outgoing.getOrDefault(waiter, List.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects nodes and edges; an edge's endpoints must be added as nodes before {@link #build()}. */
    public static final class Builder {
        private final Map<Long, ThreadNode> nodes = new LinkedHashMap<>();
        /** In insertion order, without duplicates: a set, since a walk adds thousands of edges (one per waiter). */
        private final java.util.Set<WaitEdge> edges = new java.util.LinkedHashSet<>();

        public Builder node(ThreadNode node) {
            nodes.putIfAbsent(node.id(), node);
            return this;
        }

        public Builder edge(WaitEdge edge) {
            edges.add(edge);
            return this;
        }

        public boolean hasNode(long id) {
            return nodes.containsKey(id);
        }

        public WaitForGraph build() {
            for (WaitEdge e : edges) {
                if (!nodes.containsKey(e.waiter()) || !nodes.containsKey(e.holder())) {
                    throw new IllegalStateException("edge names a thread that is not a node: " + e);
                }
            }
            return new WaitForGraph(nodes, new ArrayList<>(edges));
        }
    }
}
