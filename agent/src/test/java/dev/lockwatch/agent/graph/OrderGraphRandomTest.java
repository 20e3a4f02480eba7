package dev.lockwatch.agent.graph;

import dev.lockwatch.agent.graph.OrderGraph.Change;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The incremental graph against brute force on random graphs (fixed seeds): a plain map of orders, reachability
 * by depth-first search, simple cycles by enumerating every simple path. After each step the component order
 * must still be topological and its components must be exactly the strongly connected sets.
 */
class OrderGraphRandomTest {
    private static final Occurrence ANY = new Occurrence(1, null, false, LockMode.EXCLUSIVE, LockMode.EXCLUSIVE, null);

    /** The brute-force model: lock id -> the locks it has orders to. */
    private static final class Model {
        final Map<Integer, Set<Integer>> out = new LinkedHashMap<>();

        void add(int u, int v) {
            out.computeIfAbsent(u, k -> new LinkedHashSet<>()).add(v);
            out.computeIfAbsent(v, k -> new LinkedHashSet<>());
        }

        void remove(int x) {
            out.remove(x);
            for (Set<Integer> targets : out.values()) {
                targets.remove(x);
            }
        }

        int edges() {
            int n = 0;
            for (Set<Integer> targets : out.values()) {
                n += targets.size();
            }
            return n;
        }

        /** A path of one or more orders from {@code a} to {@code b}. */
        boolean reaches(int a, int b) {
            Set<Integer> seen = new HashSet<>();
            List<Integer> todo = new ArrayList<>(out.getOrDefault(a, Set.of()));
            while (!todo.isEmpty()) {
                int n = todo.remove(todo.size() - 1);
                if (n == b) {
                    return true;
                }
                if (seen.add(n)) {
                    todo.addAll(out.get(n));
                }
            }
            return false;
        }

        /** Every simple cycle through {@code u -> v} of at most {@code maxLength} orders, as its locks from {@code u}. */
        Set<List<Integer>> cyclesThrough(int u, int v, int maxLength) {
            Set<List<Integer>> cycles = new HashSet<>();
            List<Integer> path = new ArrayList<>(List.of(u, v));
            extend(path, u, maxLength, cycles);
            return cycles;
        }

        private void extend(List<Integer> path, int u, int maxLength, Set<List<Integer>> cycles) {
            for (int next : out.get(path.get(path.size() - 1))) {
                if (next == u) {
                    cycles.add(List.copyOf(path));
                } else if (!path.contains(next) && path.size() < maxLength) {
                    path.add(next);
                    extend(path, u, maxLength, cycles);
                    path.remove(path.size() - 1);
                }
            }
        }
    }

    private static List<Integer> locksOf(List<OrderEdge> cycle) {
        List<Integer> locks = new ArrayList<>();
        for (int i = 0; i < cycle.size(); i++) {
            OrderEdge e = cycle.get(i);
            assertEquals(e.to(), cycle.get((i + 1) % cycle.size()).from(), "a closed chain: " + cycle);
            locks.add(e.from());
        }
        return locks;
    }

    private static void assertAgrees(OrderGraph g, Model m, String where) {
        assertEquals(m.out.size(), g.nodeCount(), where);
        assertEquals(m.edges(), g.edgeCount(), where);
        for (int a : m.out.keySet()) {
            for (int b : m.out.get(a)) {
                boolean cyclic = m.reaches(b, a);
                assertEquals(cyclic, g.onCycle(a, b), where + ": order " + a + "->" + b + " on a cycle");
                if (cyclic) {
                    assertEquals(g.rank(a), g.rank(b), where + ": one component for " + a + "->" + b);
                } else {
                    assertTrue(g.rank(a) < g.rank(b), where + ": " + a + "->" + b + " agrees with the order");
                }
            }
            for (int b : m.out.keySet()) {
                assertEquals(m.reaches(a, b), g.reaches(a, b), where + ": " + a + " reaches " + b);
                boolean strong = a == b || m.reaches(a, b) && m.reaches(b, a);
                assertEquals(strong, g.rank(a) == g.rank(b), where + ": " + a + " and " + b + " share a component");
            }
        }
    }

    /** Random steps on {@code locks} possible ids; ids are sparse and far apart, as identity-based ids are. */
    private static void run(long seed, int locks, int steps, int removeOneIn, int maxLength) {
        Random random = new Random(seed);
        int[] ids = new int[locks];
        for (int i = 0; i < locks; i++) {
            ids[i] = random.nextInt();
        }
        OrderGraph g = new OrderGraph(1000, 1000);
        Model m = new Model();
        for (int step = 0; step < steps; step++) {
            String where = "seed " + seed + " step " + step;
            if (random.nextInt(removeOneIn) == 0) {
                int x = ids[random.nextInt(locks)];
                g.removeNode(x);
                m.remove(x);
            } else {
                int u = ids[random.nextInt(locks)];
                int v = ids[random.nextInt(locks)];
                boolean known = u == v || m.out.containsKey(u) && m.out.get(u).contains(v);
                Change c = g.add(u, v, ANY);
                assertEquals(known ? Change.KNOWN : Change.NEW, c, where);
                if (u != v) {
                    m.add(u, v);
                    assertEquals(m.reaches(v, u), g.onCycle(u, v), where + ": the new order closes a cycle");
                }
            }
            assertAgrees(g, m, where);
        }
        for (int u : m.out.keySet()) {
            for (int v : m.out.get(u)) {
                Set<List<Integer>> expected = m.cyclesThrough(u, v, maxLength);
                Set<List<Integer>> found = new HashSet<>();
                for (List<OrderEdge> cycle : g.cyclesThrough(u, v, Integer.MAX_VALUE, maxLength)) {
                    assertEquals(g.edge(u, v), cycle.get(0), "starts with the order asked about");
                    assertTrue(found.add(locksOf(cycle)), "each cycle once: " + cycle);
                }
                assertEquals(expected, found, "seed " + seed + ": cycles through " + u + "->" + v);
            }
        }
    }

    @Test
    void sparseGraphsWithRareRemovals() {
        for (long seed = 1; seed <= 150; seed++) {
            run(seed, 10, 40, 12, Integer.MAX_VALUE);
        }
    }

    @Test
    void denseGraphsWithFrequentRemovals() {
        for (long seed = 1000; seed <= 1100; seed++) {
            run(seed, 8, 80, 4, Integer.MAX_VALUE);
        }
    }

    @Test
    void largerGraphsWhereCyclesMergeAndSplitManyComponents() {
        for (long seed = 2000; seed <= 2020; seed++) {
            run(seed, 25, 70, 8, 6); // dense enough for many merges; cycles counted up to 6 orders
        }
    }

    @Test
    void boundsRefuseExactlyWhatDoesNotFitAndRemovalsMakeRoom() {
        for (long seed = 4000; seed <= 4100; seed++) {
            Random random = new Random(seed);
            int maxNodes = 3 + random.nextInt(5);
            int maxEdges = 1 + random.nextInt(10);
            OrderGraph g = new OrderGraph(maxNodes, maxEdges);
            Model m = new Model();
            for (int step = 0; step < 200; step++) {
                String where = "seed " + seed + " step " + step;
                int u = random.nextInt(9);
                int v = random.nextInt(9);
                if (random.nextInt(5) == 0) {
                    g.removeNode(u);
                    m.remove(u);
                } else if (u != v) {
                    boolean known = m.out.containsKey(u) && m.out.get(u).contains(v);
                    int newLocks = (m.out.containsKey(u) ? 0 : 1) + (m.out.containsKey(v) ? 0 : 1);
                    boolean fits = m.edges() < maxEdges && m.out.size() + newLocks <= maxNodes;
                    Change expected = known ? Change.KNOWN : fits ? Change.NEW : Change.FULL;
                    assertEquals(expected, g.add(u, v, ANY), where);
                    if (expected == Change.NEW) {
                        m.add(u, v);
                    }
                }
                assertEquals(m.edges() >= maxEdges || m.out.size() >= maxNodes, g.full(), where);
                assertAgrees(g, m, where);
            }
        }
    }

    @Test
    void cycleBoundsKeepTheShortestAndCapTheCount() {
        for (long seed = 3000; seed <= 3060; seed++) {
            Random random = new Random(seed);
            OrderGraph g = new OrderGraph(100, 100);
            Model m = new Model();
            for (int i = 0; i < 30; i++) {
                int u = random.nextInt(7);
                int v = random.nextInt(7);
                if (u != v) {
                    g.add(u, v, ANY);
                    m.add(u, v);
                }
            }
            for (int u : m.out.keySet()) {
                for (int v : m.out.get(u)) {
                    Set<List<Integer>> all = m.cyclesThrough(u, v, Integer.MAX_VALUE);
                    for (int maxLength = 2; maxLength <= 7; maxLength++) {
                        Set<List<Integer>> shortEnough = new HashSet<>();
                        for (List<Integer> c : all) {
                            if (c.size() <= maxLength) {
                                shortEnough.add(c);
                            }
                        }
                        Set<List<Integer>> found = new HashSet<>();
                        for (List<OrderEdge> c : g.cyclesThrough(u, v, 1000, maxLength)) {
                            found.add(locksOf(c));
                        }
                        assertEquals(shortEnough, found, "seed " + seed + " " + u + "->" + v + " up to " + maxLength);
                        List<List<OrderEdge>> capped = g.cyclesThrough(u, v, 2, maxLength);
                        assertEquals(Math.min(2, shortEnough.size()), capped.size());
                        for (List<OrderEdge> c : capped) {
                            assertTrue(shortEnough.contains(locksOf(c)));
                        }
                    }
                }
            }
        }
    }
}
