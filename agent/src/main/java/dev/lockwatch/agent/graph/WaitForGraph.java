package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of who waits for whom. Built by the watchdog from the registry and the JVM, or by hand
 * in tests; the cycle finder is a pure function of it.
 *
 * <p>A check builds one graph with an edge per waiting thread (ten thousand threads queued on one lock are ten
 * thousand edges), so {@link Builder#build()} hands its collections over instead of copying them: the graph
 * only wraps them read-only, and a builder used again after {@code build()} copies them first.
 */
public final class WaitForGraph {
    private final Map<Long, ThreadNode> nodes;
    private final Map<Long, List<WaitEdge>> outgoing;
    private final List<WaitEdge> edges;

    private WaitForGraph(Map<Long, ThreadNode> nodes, Map<Long, List<WaitEdge>> outgoing, List<WaitEdge> edges) {
        this.nodes = Collections.unmodifiableMap(nodes);
        this.outgoing = outgoing;
        this.edges = Collections.unmodifiableList(edges);
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

    /** The threads that wait for something: those with an outgoing edge. */
    public java.util.Set<Long> waiters() {
        return Collections.unmodifiableSet(outgoing.keySet());
    }

    public List<WaitEdge> outgoing(long waiter) {
        List<WaitEdge> out = outgoing.get(waiter);
        return out == null ? List.of() : Collections.unmodifiableList(out);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects nodes and edges; an edge's endpoints must be added as nodes before {@link #build()}. */
    public static final class Builder {
        private Map<Long, ThreadNode> nodes = new LinkedHashMap<>();
        /** Each waiter's edges, in insertion order and without duplicates (a waiter has one edge or a few). */
        private Map<Long, List<WaitEdge>> outgoing = new LinkedHashMap<>();
        private List<WaitEdge> edges = new ArrayList<>();
        /** The last {@link #build()} shares the collections above: they are copied before any change. */
        private boolean built;

        public Builder node(ThreadNode node) {
            own();
            nodes.putIfAbsent(node.id(), node);
            return this;
        }

        public Builder edge(WaitEdge edge) {
            own();
            List<WaitEdge> out = outgoing.get(edge.waiter());
            if (out == null) {
                out = new ArrayList<>(1);
                outgoing.put(edge.waiter(), out);
            } else if (out.contains(edge)) {
                return this;
            }
            out.add(edge);
            edges.add(edge);
            return this;
        }

        public boolean hasNode(long id) {
            return nodes.containsKey(id);
        }

        public WaitForGraph build() {
            long checked = -1; // most edges of a check share their holder: look it up once per run of them
            for (WaitEdge e : edges) {
                if (!nodes.containsKey(e.waiter()) || e.holder() != checked && !nodes.containsKey(e.holder())) {
                    throw new IllegalStateException("edge names a thread that is not a node: " + e);
                }
                checked = e.holder();
            }
            built = true;
            return new WaitForGraph(nodes, outgoing, edges);
        }

        private void own() {
            if (built) {
                built = false;
                nodes = new LinkedHashMap<>(nodes);
                Map<Long, List<WaitEdge>> out = new LinkedHashMap<>();
                for (Map.Entry<Long, List<WaitEdge>> e : outgoing.entrySet()) {
                    out.put(e.getKey(), new ArrayList<>(e.getValue()));
                }
                outgoing = out;
                edges = new ArrayList<>(edges);
            }
        }
    }
}
