package dev.lockwatch.agent.graph;

import dev.lockwatch.agent.graph.OrderGraph.Change;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What insertions cost, counted in search steps (components and locks visited), not in time: orders that agree
 * with a consistent lock order must cost no search at all, and one that goes against it only its region.
 */
class OrderGraphScaleTest {
    private static final int N = 100_000;
    private static final Occurrence ANY = new Occurrence(1, null, false, LockMode.EXCLUSIVE, LockMode.EXCLUSIVE, null);

    private static OrderGraph graph() {
        return new OrderGraph(N + 10, N + 10);
    }

    @Test
    void aLongChainInOrderCostsNoSearch() {
        OrderGraph g = graph();
        for (int i = 0; i < N; i++) {
            assertEquals(Change.NEW, g.add(i, i + 1, ANY));
        }
        assertEquals(N, g.edgeCount());
        assertEquals(0, g.searchSteps());
        assertTrue(g.reaches(0, N));
    }

    @Test
    void aLongChainBuiltFromItsEndCostsNoSearchEither() {
        OrderGraph g = graph();
        for (int i = N; i > 0; i--) {
            g.add(i - 1, i, ANY); // each order's source is new: placed before everything
        }
        assertEquals(0, g.searchSteps());
        assertFalse(g.onCycle(0, 1));
    }

    @Test
    void starsOutAndInCostNoSearch() {
        OrderGraph out = graph();
        OrderGraph in = graph();
        for (int i = 1; i <= N; i++) {
            out.add(0, i, ANY); // one lock held around every other
            in.add(i, 0, ANY);  // one lock taken inside every other
        }
        assertEquals(N, out.edgeCount());
        assertEquals(N, in.edgeCount());
        assertEquals(0, out.searchSteps());
        assertEquals(0, in.searchSteps());
    }

    @Test
    void completeLayersInOrderCostNoSearch() {
        OrderGraph g = graph();
        int width = 100;
        int layers = N / (width * width) + 1; // 11 layers of 100 locks, every lock ordered before every lock of the next
        for (int layer = 0; layer + 1 < layers; layer++) {
            for (int a = 0; a < width; a++) {
                for (int b = 0; b < width; b++) {
                    g.add(layer * width + a, (layer + 1) * width + b, ANY);
                }
            }
        }
        assertEquals(N, g.edgeCount());
        assertEquals(0, g.searchSteps());
    }

    @Test
    void anOrderAgainstTheOrderSearchesOnlyBetweenItsEnds() {
        OrderGraph g = graph();
        for (int i = 0; i < N; i++) {
            g.add(i, i + 1, ANY);
        }
        g.add(50_001, 50_000, ANY); // closes a two-lock cycle in the middle of the chain
        assertTrue(g.onCycle(50_001, 50_000));
        assertFalse(g.onCycle(49_999, 50_000));
        long steps = g.searchSteps();
        assertTrue(steps > 0 && steps <= 6, "two components each way, one merge: " + steps);
        g.add(60_010, 60_000, ANY); // eleven locks between the ends
        long more = g.searchSteps() - steps;
        assertTrue(more > 0 && more <= 2 * 11 + 10 + 1, "only the region between: " + more);
        assertTrue(g.onCycle(60_005, 60_006));
        assertEquals(1, g.cyclesThrough(60_010, 60_000, 10, 20).size());
    }

    @Test
    void removingLocksOfALongCycleStaysCorrect() {
        OrderGraph g = graph();
        for (int i = 0; i < N; i++) {
            g.add(i, i + 1, ANY);
        }
        g.add(N, 0, ANY); // one cycle through every lock
        assertTrue(g.onCycle(0, 1));
        g.removeNode(N / 2); // the cycle falls apart into a chain again: Tarjan must not recurse
        assertFalse(g.onCycle(0, 1));
        assertTrue(g.reaches(N / 2 + 1, N / 2 - 1));
        assertFalse(g.reaches(N / 2 - 1, N / 2 + 1));
    }
}
