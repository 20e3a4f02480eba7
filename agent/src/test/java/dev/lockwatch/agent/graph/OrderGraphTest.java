package dev.lockwatch.agent.graph;

import dev.lockwatch.agent.graph.OrderGraph.Change;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrderGraphTest {
    private static Occurrence by(long thread, int... gates) {
        return new Occurrence(thread, gates, false, LockMode.EXCLUSIVE, LockMode.EXCLUSIVE, null);
    }

    @Test
    void firstOccurrenceCreatesTheEdgeAndTheSameOneAgainChangesNothingButTheCount() {
        OrderGraph g = new OrderGraph(10, 10);
        Object site = new Object();
        assertEquals(Change.NEW, g.add(1, 2, new Occurrence(7, new int[] {5}, false, LockMode.MONITOR,
                LockMode.EXCLUSIVE, site)));
        assertEquals(Change.KNOWN, g.add(1, 2, new Occurrence(7, new int[] {5}, false, LockMode.MONITOR,
                LockMode.EXCLUSIVE, new Object())));
        OrderEdge e = g.edge(1, 2);
        assertEquals(1, e.from());
        assertEquals(2, e.to());
        assertSame(site, e.payload(), "the payload of the first occurrence is kept");
        assertEquals(2, e.count());
        assertArrayEquals(new long[] {7}, e.threads());
        assertArrayEquals(new int[] {5}, e.gates());
        assertEquals(Set.of(LockMode.MONITOR), e.fromModes());
        assertEquals(Set.of(LockMode.EXCLUSIVE), e.toModes());
        assertNull(g.edge(2, 1), "orders have a direction");
        assertEquals(2, g.nodeCount());
        assertEquals(1, g.edgeCount());
    }

    @Test
    void aSelfOrderIsIgnored() {
        OrderGraph g = new OrderGraph(10, 10);
        assertEquals(Change.KNOWN, g.add(3, 3, by(1)));
        assertEquals(0, g.edgeCount());
        assertEquals(0, g.nodeCount());
    }

    @Test
    void aNewThreadWidensUntilEightThreadsThenTheOrderCountsAsTakenByMany() {
        OrderGraph g = new OrderGraph(10, 10);
        g.add(1, 2, by(100));
        assertEquals(Change.KNOWN, g.add(1, 2, by(100)));
        for (long t = 101; t < 100 + OrderEdge.MAX_THREADS; t++) {
            assertEquals(Change.WIDENED, g.add(1, 2, by(t)), "thread " + t);
        }
        assertFalse(g.edge(1, 2).manyThreads());
        assertEquals(OrderEdge.MAX_THREADS, g.edge(1, 2).threads().length);
        assertEquals(Change.WIDENED, g.add(1, 2, by(500)), "the ninth thread makes it 'many'");
        assertTrue(g.edge(1, 2).manyThreads());
        assertEquals(Change.KNOWN, g.add(1, 2, by(501)), "nothing more to learn once many");
        assertEquals(OrderEdge.MAX_THREADS, g.edge(1, 2).threads().length);
        assertEquals(OrderEdge.MAX_THREADS + 2, g.edge(1, 2).count() - 1);
    }

    @Test
    void gatesAreTheIntersectionAndWidenOnlyWhenTheyShrink() {
        OrderGraph g = new OrderGraph(10, 10);
        g.add(1, 2, by(1, 9, 8, 1, 2, 8, 7)); // the ends and the duplicate are dropped
        assertArrayEquals(new int[] {7, 8, 9}, g.edge(1, 2).gates());
        assertEquals(Change.KNOWN, g.add(1, 2, by(1, 6, 7, 8, 9)), "more held locks: the same gates");
        assertEquals(Change.WIDENED, g.add(1, 2, by(1, 9, 7)));
        assertArrayEquals(new int[] {7, 9}, g.edge(1, 2).gates());
        assertEquals(Change.WIDENED, g.add(1, 2, by(1)));
        assertArrayEquals(new int[] {}, g.edge(1, 2).gates());
        assertEquals(Change.KNOWN, g.add(1, 2, by(1, 7)), "gates never come back");
        assertArrayEquals(new int[] {}, g.edge(1, 2).gates());
    }

    @Test
    void anOrderIsTimedOnlyWhileEveryOccurrenceWasTimed() {
        OrderGraph g = new OrderGraph(10, 10);
        Occurrence timed = new Occurrence(1, null, true, LockMode.EXCLUSIVE, LockMode.EXCLUSIVE, null);
        g.add(1, 2, timed);
        assertTrue(g.edge(1, 2).timed());
        assertEquals(Change.KNOWN, g.add(1, 2, timed));
        assertEquals(Change.WIDENED, g.add(1, 2, by(1)));
        assertFalse(g.edge(1, 2).timed());
        assertEquals(Change.KNOWN, g.add(1, 2, timed), "once untimed, always untimed");
        assertFalse(g.edge(1, 2).timed());
    }

    @Test
    void aModeNotSeenBeforeWidens() {
        OrderGraph g = new OrderGraph(10, 10);
        g.add(1, 2, new Occurrence(1, null, false, LockMode.READ, LockMode.READ, null));
        assertTrue(g.edge(1, 2).readOnly());
        assertEquals(Change.KNOWN, g.add(1, 2, new Occurrence(1, null, false, LockMode.READ, LockMode.READ, null)));
        assertEquals(Change.WIDENED, g.add(1, 2, new Occurrence(1, null, false, LockMode.READ, LockMode.WRITE, null)));
        assertEquals(Set.of(LockMode.READ, LockMode.WRITE), g.edge(1, 2).toModes());
        assertFalse(g.edge(1, 2).readOnly());
        assertEquals(Change.WIDENED, g.add(1, 2, new Occurrence(1, null, false, LockMode.WRITE, LockMode.READ, null)));
        assertEquals(Set.of(LockMode.READ, LockMode.WRITE), g.edge(1, 2).fromModes());
    }

    @Test
    void theLastOrderOfACycleIsOnItAndTheOthersAreToo() {
        OrderGraph g = new OrderGraph(10, 10);
        g.add(1, 2, by(1));
        g.add(2, 3, by(1));
        g.add(3, 9, by(1));
        assertFalse(g.onCycle(1, 2));
        assertTrue(g.reaches(1, 3));
        assertFalse(g.reaches(3, 1));
        assertFalse(g.reaches(1, 1), "no path of one or more orders");
        g.add(3, 1, by(2));
        assertTrue(g.onCycle(3, 1));
        assertTrue(g.onCycle(1, 2));
        assertTrue(g.onCycle(2, 3));
        assertFalse(g.onCycle(3, 9), "leaves the cycle");
        assertFalse(g.onCycle(9, 3), "no such order");
        assertTrue(g.reaches(3, 2));
        assertTrue(g.reaches(1, 1));
        assertFalse(g.reaches(9, 1));
        List<List<OrderEdge>> cycles = g.cyclesThrough(3, 1, 10, 10);
        assertEquals(List.of(List.of(g.edge(3, 1), g.edge(1, 2), g.edge(2, 3))), cycles);
        assertEquals(List.of(), g.cyclesThrough(3, 1, 10, 2), "longer than the bound");
        assertEquals(List.of(), g.cyclesThrough(3, 9, 10, 10));
    }

    @Test
    void removingALockOfACycleBreaksItAndTakesItsOrders() {
        OrderGraph g = new OrderGraph(10, 10);
        g.add(1, 2, by(1));
        g.add(2, 3, by(1));
        g.add(3, 1, by(2));
        g.add(4, 2, by(2));
        g.removeNode(3);
        assertEquals(3, g.nodeCount());
        assertEquals(2, g.edgeCount());
        assertNull(g.edge(2, 3));
        assertNull(g.edge(3, 1));
        assertFalse(g.onCycle(1, 2));
        assertFalse(g.reaches(2, 1));
        assertEquals(List.of(g.edge(1, 2)), g.ordersFrom(1));
        assertTrue(g.rank(1) < g.rank(2) && g.rank(4) < g.rank(2), "still a topological order");
        assertEquals(Change.NEW, g.add(2, 3, by(1)), "a new lock 3 starts with no orders");
        assertFalse(g.onCycle(2, 3));
        g.removeNode(42); // unknown: nothing happens
        assertEquals(3, g.edgeCount());
    }

    @Test
    void fullWhenTheEdgeBoundIsReachedAndRemovalFreesRoom() {
        OrderGraph g = new OrderGraph(100, 3);
        assertEquals(Change.NEW, g.add(1, 2, by(1)));
        assertEquals(Change.NEW, g.add(2, 3, by(1)));
        assertFalse(g.full());
        assertEquals(Change.NEW, g.add(3, 4, by(1)));
        assertTrue(g.full());
        assertEquals(Change.FULL, g.add(4, 5, by(1)));
        assertEquals(Change.FULL, g.add(1, 3, by(1)), "between known locks too");
        assertNull(g.edge(4, 5));
        assertEquals(4, g.nodeCount(), "a refused order adds no lock");
        assertEquals(Change.WIDENED, g.add(1, 2, by(2)), "known orders still accumulate when full");
        g.removeNode(4);
        assertFalse(g.full());
        assertEquals(Change.NEW, g.add(1, 3, by(1)));
    }

    @Test
    void fullWhenTheLockBoundIsReached() {
        OrderGraph g = new OrderGraph(3, 100);
        g.add(1, 2, by(1));
        assertEquals(Change.FULL, g.add(3, 4, by(1)), "two new locks, room for one");
        assertEquals(Change.NEW, g.add(2, 3, by(1)));
        assertTrue(g.full());
        assertEquals(Change.NEW, g.add(3, 1, by(1)), "known locks need no room");
        assertEquals(Change.FULL, g.add(3, 4, by(1)));
        assertFalse(g.markWriteLocked(4), "no room for the lock: the mark is lost");
        assertFalse(g.isWriteLocked(4));
        g.removeNode(1);
        assertEquals(Change.NEW, g.add(3, 4, by(1)));
    }

    @Test
    void writeLockedIsALockAttributeThatOutlivesNoRemoval() {
        OrderGraph g = new OrderGraph(10, 10);
        assertFalse(g.isWriteLocked(1));
        assertTrue(g.markWriteLocked(1), "a lock with no orders yet");
        assertFalse(g.markWriteLocked(1), "not new");
        assertTrue(g.isWriteLocked(1));
        g.add(1, 2, by(1));
        assertTrue(g.isWriteLocked(1));
        assertFalse(g.isWriteLocked(2));
        g.removeNode(1);
        assertFalse(g.isWriteLocked(1), "a new lock with the same id is not the collected one");
    }

    @Test
    void locksWithIdsAnywhereInTheIntRange() {
        OrderGraph g = new OrderGraph(10, 10);
        g.add(Integer.MIN_VALUE, -1, by(1));
        g.add(-1, Integer.MAX_VALUE, by(1));
        g.add(Integer.MAX_VALUE, Integer.MIN_VALUE, by(1));
        assertTrue(g.onCycle(-1, Integer.MAX_VALUE));
        assertNull(g.edge(-1, Integer.MIN_VALUE));
        assertEquals(1, g.cyclesThrough(Integer.MIN_VALUE, -1, 5, 5).size());
    }

    @Test
    void boundsMustLeaveRoomForOneOrder() {
        assertThrows(IllegalArgumentException.class, () -> new OrderGraph(1, 10));
        assertThrows(IllegalArgumentException.class, () -> new OrderGraph(10, 0));
    }
}
