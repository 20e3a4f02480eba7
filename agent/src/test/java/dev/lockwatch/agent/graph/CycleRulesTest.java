package dev.lockwatch.agent.graph;

import dev.lockwatch.agent.graph.CycleRules.Benign;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each benign rule on hand-built cycles, next to the nearest cycle that must still be reported. */
class CycleRulesTest {
    private static final int GATE = 99;

    private final OrderGraph g = new OrderGraph(100, 100);

    private void order(int from, int to, long thread, int... gates) {
        g.add(from, to, new Occurrence(thread, gates, false, LockMode.EXCLUSIVE, LockMode.EXCLUSIVE, null));
    }

    private void order(int from, int to, long thread, LockMode fromMode, LockMode toMode) {
        g.add(from, to, new Occurrence(thread, null, false, fromMode, toMode, null));
    }

    /** The one cycle through {@code from -> to}. */
    private List<OrderEdge> cycle(int from, int to) {
        List<List<OrderEdge>> cycles = g.cyclesThrough(from, to, 10, 10);
        assertEquals(1, cycles.size(), "the test builds exactly one cycle: " + cycles);
        return cycles.get(0);
    }

    private Benign why(int from, int to) {
        return CycleRules.why(cycle(from, to), g);
    }

    @Test
    void twoThreadsInOppositeOrdersCanDeadlock() {
        order(1, 2, 10);
        order(2, 1, 20);
        assertNull(why(1, 2));
    }

    @Test
    void aGateHeldOnEveryOrderMakesTheCycleBenign() {
        order(1, 2, 10, GATE, 7);
        order(2, 3, 20, 5, GATE);
        order(3, 1, 30, GATE);
        assertEquals(Benign.GATE, why(3, 1));
    }

    @Test
    void aGateHeldOnAllButOneOrderDoesNot() {
        order(1, 2, 10, GATE);
        order(2, 3, 20, GATE);
        order(3, 1, 30, 7);
        assertNull(why(3, 1));
    }

    @Test
    void aGateHeldOnlySometimesOnOneOrderDoesNot() {
        order(1, 2, 10, GATE);
        order(2, 1, 20, GATE);
        assertEquals(Benign.GATE, why(1, 2));
        order(2, 1, 20); // once without the gate
        assertNull(why(1, 2));
    }

    @Test
    void differentLocksHeldOnEachOrderAreNoGate() {
        order(1, 2, 10, 7);
        order(2, 1, 20, 8);
        assertNull(why(1, 2));
    }

    @Test
    void oneThreadTakingBothOrdersCannotDeadlockWithItself() {
        order(1, 2, 10);
        order(2, 1, 10);
        assertEquals(Benign.SINGLE_THREAD, why(1, 2));
        order(2, 1, 20); // a second thread on one order is enough: 1->2 by 10, 2->1 by 20
        assertNull(why(1, 2));
    }

    @Test
    void threeOrdersTakenByOnlyTwoThreadsCannotDeadlock() {
        // {1}, {1,2}, {2}: 1->2 must be thread 1 and 3->1 thread 2, leaving no thread for 2->3.
        order(1, 2, 1);
        order(2, 3, 1);
        order(2, 3, 2);
        order(3, 1, 2);
        assertEquals(Benign.SINGLE_THREAD, why(1, 2));
    }

    @Test
    void threeOrdersWithThreeThreadsBetweenThemCanDeadlock() {
        // {1,3}, {1,2}, {2}: 3->1 is thread 2, so 2->3 is thread 1 and 1->2 thread 3; the matching must move
        // the first order off thread 1, which a greedy assignment in cycle order would not do.
        order(1, 2, 1);
        order(1, 2, 3);
        order(2, 3, 1);
        order(2, 3, 2);
        order(3, 1, 2);
        assertNull(why(1, 2));
    }

    @Test
    void twoOrdersEachTakenByTheSameTwoThreadsCanDeadlock() {
        order(1, 2, 1);
        order(1, 2, 2);
        order(2, 1, 1);
        order(2, 1, 2);
        assertNull(why(1, 2));
    }

    @Test
    void anOrderTakenByManyThreadsAlwaysHasAThreadOfItsOwn() {
        order(1, 2, 1);
        order(2, 3, 1);
        for (long t = 1; t <= OrderEdge.MAX_THREADS + 1; t++) {
            order(3, 1, t); // includes thread 1, then caps
        }
        assertTrue(g.edge(3, 1).manyThreads());
        assertEquals(Benign.SINGLE_THREAD, why(1, 2), "the other two orders are both thread 1 only");
        order(2, 3, 2);
        assertNull(why(1, 2));
    }

    @Test
    void anOrderTakenByManyThreadsIsNotLimitedToTheThreadsItLists() {
        // Nine orders: eight taken by threads 1..8 alone, the ninth by 1..8 (listed) and a ninth thread (not).
        int n = OrderEdge.MAX_THREADS + 1;
        for (int lock = 1; lock < n; lock++) {
            order(lock, lock + 1, lock);
        }
        for (long t = 1; t <= OrderEdge.MAX_THREADS; t++) {
            order(n, 1, t);
        }
        assertEquals(Benign.SINGLE_THREAD, why(n, 1), "eight threads for nine orders");
        order(n, 1, 100);
        assertTrue(g.edge(n, 1).manyThreads());
        assertNull(why(n, 1), "thread 100, or any other of the many, takes the last order");
    }

    @Test
    void readLocksThatAreNeverWriteLockedCannotBlock() {
        order(1, 2, 10, LockMode.READ, LockMode.READ);
        order(2, 1, 20, LockMode.READ, LockMode.READ);
        assertEquals(Benign.READ_ONLY, why(1, 2));
    }

    @Test
    void readLocksOfAWriteLockedReadWriteLockCanBlock() {
        order(1, 2, 10, LockMode.READ, LockMode.READ);
        order(2, 1, 20, LockMode.READ, LockMode.READ);
        assertTrue(g.markWriteLocked(2));
        assertNull(why(1, 2));
    }

    @Test
    void aWriteLockOnOneOrderOfTheCycleCanBlock() {
        order(1, 2, 10, LockMode.READ, LockMode.READ);
        order(2, 1, 20, LockMode.READ, LockMode.WRITE);
        assertNull(why(1, 2));
    }

    @Test
    void anOrderOnceTakenReadAndOnceWriteIsNotReadOnly() {
        order(1, 2, 10, LockMode.READ, LockMode.READ);
        order(2, 1, 20, LockMode.READ, LockMode.READ);
        order(1, 2, 10, LockMode.WRITE, LockMode.READ);
        assertNull(why(1, 2));
    }

    @Test
    void aGateIsNamedBeforeASingleThread() {
        order(1, 2, 10, GATE);
        order(2, 1, 10, GATE);
        assertEquals(Benign.GATE, why(1, 2));
    }

    @Test
    void aCycleIsTimedWhileOneOfItsOrdersWasOnlyEverTimed() {
        g.add(1, 2, new Occurrence(10, null, true, LockMode.EXCLUSIVE, LockMode.EXCLUSIVE, null));
        order(2, 1, 20);
        assertTrue(CycleRules.timed(cycle(1, 2)));
        order(1, 2, 10); // an untimed acquisition too: could wait forever
        assertFalse(CycleRules.timed(cycle(1, 2)));
    }
}
