package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
    private final LongTable<ThreadNode> nodes;
    /** Each waiter's edges: immutable lists, so {@link #outgoing} hands them out as they are. */
    private final LongTable<List<WaitEdge>> outgoing;
    private final List<WaitEdge> edges;

    private WaitForGraph(LongTable<ThreadNode> nodes, LongTable<List<WaitEdge>> outgoing, List<WaitEdge> edges) {
        this.nodes = nodes;
        this.outgoing = outgoing;
        this.edges = Collections.unmodifiableList(edges);
    }

    public ThreadNode node(long id) {
        return nodes.get(id);
    }

    /** The nodes by thread id (a read-only copy: reports and tests ask for it, checks use {@link #node}). */
    public Map<Long, ThreadNode> nodes() {
        Map<Long, ThreadNode> map = new HashMap<>();
        nodes.forEach(map::put);
        return Collections.unmodifiableMap(map);
    }

    public List<WaitEdge> edges() {
        return edges;
    }

    /** The ids of the threads that wait for something (those with an outgoing edge), in no particular order. */
    public long[] waiters() {
        return outgoing.keys();
    }

    public List<WaitEdge> outgoing(long waiter) {
        List<WaitEdge> out = outgoing.get(waiter);
        return out == null ? List.of() : out;
    }

    public static Builder builder() {
        return new Builder(0);
    }

    /** A builder sized for about {@code threads} threads (a check's: no rehash while it fills). */
    public static Builder builder(int threads) {
        return new Builder(threads);
    }

    /** Collects nodes and edges; an edge's endpoints must be added as nodes before {@link #build()}. */
    public static final class Builder {
        private LongTable<ThreadNode> nodes;
        /**
         * Each waiter's edges, in insertion order and without duplicates (a waiter has one edge or a few): an
         * immutable list of one, an {@code ArrayList} once a second edge comes (made immutable by {@link #build()}).
         */
        private LongTable<List<WaitEdge>> outgoing;
        private List<WaitEdge> edges;
        /** How many of {@link #outgoing}'s lists are mutable. */
        private int mutable;
        /** The last {@link #build()} shares the collections above: they are copied before any change. */
        private boolean built;

        private Builder(int threads) {
            nodes = new LongTable<>(threads + 1);
            outgoing = new LongTable<>(threads);
            edges = new ArrayList<>(threads);
        }

        public Builder node(ThreadNode node) {
            own();
            nodes.putIfAbsent(node.id(), node);
            return this;
        }

        public Builder edge(WaitEdge edge) {
            own();
            List<WaitEdge> out = outgoing.get(edge.waiter());
            if (out == null) {
                outgoing.put(edge.waiter(), List.of(edge));
            } else if (out.contains(edge)) {
                return this;
            } else if (out instanceof ArrayList) {
                out.add(edge);
            } else {
                out = new ArrayList<>(out);
                out.add(edge);
                outgoing.put(edge.waiter(), out);
                mutable++;
            }
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
            if (mutable > 0) {
                outgoing.replaceAll(List::copyOf);
                mutable = 0;
            }
            built = true;
            return new WaitForGraph(nodes, outgoing, edges);
        }

        private void own() {
            if (built) {
                built = false;
                nodes = nodes.copy();
                outgoing = outgoing.copy(); // its lists are immutable: shared
                edges = new ArrayList<>(edges);
            }
        }
    }
}
