package dev.lockwatch.agent.graph;

import dev.lockwatch.agent.graph.WaitEdge.Mode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CycleFinderTest {
    private static final LockRef A = new LockRef("java.util.concurrent.locks.ReentrantLock$NonfairSync", 0xa);
    private static final LockRef B = new LockRef("java.util.concurrent.locks.ReentrantLock$NonfairSync", 0xb);
    private static final LockRef C = new LockRef("java.util.concurrent.locks.ReentrantLock$NonfairSync", 0xc);
    private static final LockRef RW = new LockRef("java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync", 0xd);

    /** {@code waiter} wants {@code lock} exclusively and {@code holder} holds it exclusively. */
    private static WaitEdge exclusive(long waiter, LockRef lock, long holder) {
        return new WaitEdge(waiter, holder, lock, Mode.EXCLUSIVE, Mode.EXCLUSIVE, false, 1);
    }

    /** {@code waiter} wants the write lock and {@code reader} holds the read lock. */
    private static WaitEdge writerBehindReader(long waiter, LockRef lock, long reader) {
        return new WaitEdge(waiter, reader, lock, Mode.EXCLUSIVE, Mode.READ, false, 1);
    }

    private static LockRef readWriteLock(int identityHash) {
        return new LockRef("java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync", identityHash);
    }

    private static WaitForGraph graph(List<Long> nodeOrder, List<WaitEdge> edges) {
        WaitForGraph.Builder b = WaitForGraph.builder();
        for (long id : nodeOrder) {
            b.node(new ThreadNode(id, "t" + id, false));
        }
        for (WaitEdge e : edges) {
            b.edge(e);
        }
        return b.build();
    }

    private static WaitForGraph graph(WaitEdge... edges) {
        Set<Long> ids = new LinkedHashSet<>();
        for (WaitEdge e : edges) {
            ids.add(e.waiter());
            ids.add(e.holder());
        }
        return graph(new ArrayList<>(ids), List.of(edges));
    }

    private static void assertIsClosedChain(Cycle cycle) {
        List<WaitEdge> edges = cycle.edges();
        for (int i = 0; i < edges.size(); i++) {
            WaitEdge next = edges.get((i + 1) % edges.size());
            assertEquals(next.waiter(), edges.get(i).holder(), "edge " + i + " must lead to the next waiter: " + edges);
        }
    }

    private static Set<Set<Long>> threadSets(List<Cycle> cycles) {
        Set<Set<Long>> sets = new HashSet<>();
        for (Cycle c : cycles) {
            sets.add(new HashSet<>(c.threadIds()));
        }
        return sets;
    }

    @Test
    void findsSelfLoopOfAReaderWaitingForTheWriteLockOfItsOwnReadWriteLock() {
        WaitEdge self = writerBehindReader(7, RW, 7);

        List<Cycle> cycles = CycleFinder.find(graph(self), 10);

        assertEquals(List.of(new Cycle(List.of(self))), cycles);
    }

    @Test
    void findsTwoThreadCycleOnceStartingFromTheSmallestThreadId() {
        WaitEdge twoWaitsForOne = exclusive(2, A, 1);
        WaitEdge oneWaitsForTwo = exclusive(1, B, 2);

        List<Cycle> cycles = CycleFinder.find(graph(twoWaitsForOne, oneWaitsForTwo), 10);

        assertEquals(List.of(new Cycle(List.of(oneWaitsForTwo, twoWaitsForOne))), cycles);
    }

    @Test
    void findsThreeThreadCycleAsAClosedChainFromTheSmallestThreadId() {
        WaitForGraph g = graph(List.of(30L, 10L, 20L),
                List.of(exclusive(20, A, 30), exclusive(30, B, 10), exclusive(10, C, 20)));

        List<Cycle> cycles = CycleFinder.find(g, 10);

        assertEquals(1, cycles.size(), cycles::toString);
        assertEquals(List.of(10L, 20L, 30L), cycles.get(0).threadIds());
        assertIsClosedChain(cycles.get(0));
    }

    @Test
    void findsBothOfTwoDisjointCycles() {
        WaitForGraph g = graph(exclusive(1, A, 2), exclusive(2, B, 1),
                exclusive(3, C, 4), exclusive(4, RW, 5), exclusive(5, new LockRef("x.Y", 1), 3));

        List<Cycle> cycles = CycleFinder.find(g, 10);

        assertEquals(2, cycles.size(), cycles::toString);
        assertEquals(Set.of(Set.of(1L, 2L), Set.of(3L, 4L, 5L)), threadSets(cycles));
        cycles.forEach(CycleFinderTest::assertIsClosedChain);
    }

    @Test
    void findsNoCycleInAChain() {
        WaitForGraph g = graph(exclusive(1, A, 2), exclusive(2, B, 3), exclusive(3, C, 4));

        assertEquals(List.of(), CycleFinder.find(g, 10));
    }

    @Test
    void chainLeadingIntoACycleIsNotPartOfIt() {
        WaitForGraph g = graph(exclusive(9, C, 1), exclusive(1, A, 2), exclusive(2, B, 1));

        List<Cycle> cycles = CycleFinder.find(g, 10);

        assertEquals(Set.of(Set.of(1L, 2L)), threadSets(cycles));
        assertEquals(1, cycles.size(), cycles::toString);
    }

    @Test
    void writerBehindTwoReadersIsInACycleOnlyThroughTheReaderThatWaitsForIt() {
        // Thread 1 wants the write lock; threads 2 and 3 hold the read lock. Only 2 waits (for a lock 1 holds).
        WaitEdge oneBehindReaderTwo = writerBehindReader(1, RW, 2);
        WaitEdge oneBehindReaderThree = writerBehindReader(1, RW, 3);
        WaitEdge twoWaitsForOne = exclusive(2, A, 1);

        List<Cycle> cycles = CycleFinder.find(graph(oneBehindReaderThree, oneBehindReaderTwo, twoWaitsForOne), 10);

        assertEquals(List.of(new Cycle(List.of(oneBehindReaderTwo, twoWaitsForOne))), cycles);
    }

    @Test
    void eachCycleIsFoundExactlyOnceWhateverTheNodeAndEdgeInsertionOrder() {
        // Two cycles share threads 1 and 2: 1 -> 2 -> 1 and 1 -> 2 -> 3 -> 1 (2 waits behind readers 1 and 3).
        List<WaitEdge> edges = List.of(exclusive(1, A, 2), writerBehindReader(2, RW, 1),
                writerBehindReader(2, RW, 3), exclusive(3, C, 1));
        Set<Cycle> expected = Set.of(
                new Cycle(List.of(edges.get(0), edges.get(1))),
                new Cycle(List.of(edges.get(0), edges.get(2), edges.get(3))));

        int orders = 0;
        for (List<Long> nodeOrder : permutations(List.of(1L, 2L, 3L))) {
            for (List<WaitEdge> edgeOrder : permutations(edges)) {
                List<Cycle> cycles = CycleFinder.find(graph(nodeOrder, edgeOrder), 10);
                String where = "nodes " + nodeOrder + ", edges " + edgeOrder + ": " + cycles;
                assertEquals(2, cycles.size(), where);
                assertEquals(expected, new HashSet<>(cycles), where);
                orders++;
            }
        }
        assertEquals(6 * 24, orders);
    }

    @Test
    void limitCapsTheNumberOfCyclesReturned() {
        // Four threads, each waiting for the write lock of a read-write lock the other three read-hold:
        // every subset of two or more threads forms cycles, 6 + 8 + 6 = 20 elementary cycles in all.
        List<WaitEdge> edges = new ArrayList<>();
        for (long w = 1; w <= 4; w++) {
            LockRef lock = readWriteLock((int) w);
            for (long r = 1; r <= 4; r++) {
                if (r != w) {
                    edges.add(writerBehindReader(w, lock, r));
                }
            }
        }
        WaitForGraph g = graph(List.of(1L, 2L, 3L, 4L), edges);

        List<Cycle> all = CycleFinder.find(g, 1000);
        Set<String> fingerprints = new HashSet<>();
        all.forEach(c -> fingerprints.add(c.identity()));

        assertEquals(20, all.size(), "elementary cycles of a complete graph on 4 threads");
        assertEquals(20, fingerprints.size(), "no cycle twice");
        assertEquals(7, CycleFinder.find(g, 7).size());
        assertEquals(1, CycleFinder.find(g, 1).size());
        assertEquals(0, CycleFinder.find(g, 0).size());
    }

    @Test
    void limitCapsDisjointSelfLoopsToo() {
        WaitForGraph g = graph(writerBehindReader(1, readWriteLock(1), 1), writerBehindReader(2, readWriteLock(2), 2),
                writerBehindReader(3, readWriteLock(3), 3));

        List<Cycle> cycles = CycleFinder.find(g, 2);

        assertEquals(List.of(List.of(1L), List.of(2L)), List.of(cycles.get(0).threadIds(), cycles.get(1).threadIds()));
        assertEquals(2, cycles.size());
    }

    @Test
    void findsTheCycleThroughAWriterBehindFiftyReaders() {
        List<WaitEdge> edges = new ArrayList<>();
        List<Long> nodes = new ArrayList<>(List.of(1L));
        for (long reader = 2; reader <= 51; reader++) {
            edges.add(writerBehindReader(1, RW, reader));
            nodes.add(reader);
        }
        WaitEdge closing = exclusive(37, A, 1); // one reader waits for a lock the writer holds

        edges.add(closing);
        List<Cycle> cycles = CycleFinder.find(graph(nodes, edges), 10);

        assertEquals(List.of(new Cycle(List.of(writerBehindReader(1, RW, 37), closing))), cycles);
    }

    /**
     * Thread 2 holds a read lock and asks for its write lock, which it and thread 1 read-hold (edges 2 -> 2 and
     * 2 -> 1); thread 1 waits for a lock 2 holds (1 -> 2). The elementary cycles are 2 -> 2 and 1 -> 2 -> 1.
     */
    @Test
    void reportsOnlyElementaryCyclesWhenAThreadOnTheCycleAlsoWaitsForItself() {
        WaitEdge oneWaitsForTwo = exclusive(1, A, 2);
        WaitEdge twoBehindItself = writerBehindReader(2, RW, 2);
        WaitEdge twoBehindOne = writerBehindReader(2, RW, 1);

        List<Cycle> cycles = CycleFinder.find(graph(oneWaitsForTwo, twoBehindItself, twoBehindOne), 10);

        for (Cycle c : cycles) {
            assertEquals(c.threadIds().size(), new HashSet<>(c.threadIds()).size(),
                    "BUG CycleFinder.search: a cycle must not visit a thread twice (onPath ignores the current "
                            + "thread, so a self-loop on it is followed): found cycles through threads "
                            + cycles.stream().map(Cycle::threadIds).collect(Collectors.toList()));
        }
        assertEquals(Set.of(new Cycle(List.of(twoBehindItself)), new Cycle(List.of(oneWaitsForTwo, twoBehindOne))),
                new HashSet<>(cycles));
    }

    @Test
    void everyCycleFoundIsClosedAndStartsAtItsSmallestThread() {
        WaitForGraph g = graph(List.of(5L, 4L, 3L, 2L, 1L), List.of(
                exclusive(5, A, 3), writerBehindReader(3, RW, 1), writerBehindReader(3, RW, 4),
                exclusive(1, B, 5), exclusive(4, C, 5), exclusive(2, new LockRef("x.Y", 2), 4)));

        List<Cycle> cycles = CycleFinder.find(g, 10);

        assertEquals(Set.of(Set.of(1L, 3L, 5L), Set.of(3L, 4L, 5L)), threadSets(cycles));
        for (Cycle c : cycles) {
            assertIsClosedChain(c);
            long first = c.threadIds().get(0);
            assertTrue(c.threadIds().stream().allMatch(id -> id >= first), c.threadIds()::toString);
        }
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<T>> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T head = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> p = new ArrayList<>();
                p.add(head);
                p.addAll(tail);
                result.add(p);
            }
        }
        return result;
    }
}
