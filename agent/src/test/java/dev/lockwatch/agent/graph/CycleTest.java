package dev.lockwatch.agent.graph;

import dev.lockwatch.agent.graph.WaitEdge.Mode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CycleTest {
    private static final String SYNC = "java.util.concurrent.locks.ReentrantLock$NonfairSync";
    private static final LockRef A = new LockRef(SYNC, 0x1b6d3586);
    private static final LockRef B = new LockRef(SYNC, 0x4554617c);
    private static final LockRef C = new LockRef("com.example.Account", 0x74a14482);

    private static WaitEdge edge(long waiter, LockRef lock, long holder) {
        return new WaitEdge(waiter, holder, lock, Mode.EXCLUSIVE, Mode.EXCLUSIVE, false, 1);
    }

    private static List<WaitEdge> threeThreads() {
        return List.of(edge(1, A, 2), edge(2, B, 3), edge(3, C, 1));
    }

    @Test
    void identityIsTheSameForEveryRotationAndOrderOfTheSameEdges() {
        String reference = new Cycle(threeThreads()).identity();
        List<WaitEdge> edges = new ArrayList<>(threeThreads());
        for (int rotation = 0; rotation < 3; rotation++) {
            Collections.rotate(edges, 1);
            assertEquals(reference, new Cycle(edges).identity(), "rotation " + edges);
            List<WaitEdge> reversed = new ArrayList<>(edges);
            Collections.reverse(reversed);
            assertEquals(reference, new Cycle(reversed).identity(), "order " + reversed);
        }
    }

    /**
     * Issue 10, item 1: two short cycles of the same threads one check apart (a timed back-off that ends and forms
     * again) were taken for one cycle seen twice. A new wait episode is a new cycle.
     */
    @Test
    void identityIgnoresModesAndTimeoutsButNotWaitEpisodes() {
        List<WaitEdge> same = new java.util.ArrayList<>();
        List<WaitEdge> nextEpisode = new java.util.ArrayList<>();
        for (WaitEdge e : threeThreads()) {
            same.add(new WaitEdge(e.waiter(), e.holder(), e.lock(), Mode.READ, Mode.QUEUED, !e.timed(), e.episode()));
            nextEpisode.add(new WaitEdge(e.waiter(), e.holder(), e.lock(), e.waitMode(), e.heldAs(), e.timed(), e.episode() + 1));
        }

        assertEquals(new Cycle(threeThreads()).identity(), new Cycle(same).identity());
        assertNotEquals(new Cycle(threeThreads()).identity(), new Cycle(nextEpisode).identity());
    }

    @Test
    void identityDiffersWhenOneLockHasAnotherIdentity() {
        List<WaitEdge> other = List.of(edge(1, A, 2), edge(2, new LockRef(SYNC, 0x4554617d), 3), edge(3, C, 1));

        assertNotEquals(new Cycle(threeThreads()).identity(), new Cycle(other).identity());
    }

    @Test
    void identityDiffersWhenOneLockHasAnotherClass() {
        List<WaitEdge> other = List.of(edge(1, A, 2), edge(2, B, 3),
                edge(3, new LockRef("com.example.Ledger", 0x74a14482), 1));

        assertNotEquals(new Cycle(threeThreads()).identity(), new Cycle(other).identity());
    }

    @Test
    void identityDiffersWhenOneThreadIsAnother() {
        List<WaitEdge> other = List.of(edge(1, A, 4), edge(4, B, 3), edge(3, C, 1));

        assertNotEquals(new Cycle(threeThreads()).identity(), new Cycle(other).identity());
    }

    @Test
    void identityDiffersWhenTheThreadsSwapTheLocksTheyWaitFor() {
        Cycle original = new Cycle(List.of(edge(1, A, 2), edge(2, B, 1)));
        Cycle swapped = new Cycle(List.of(edge(1, B, 2), edge(2, A, 1)));

        assertNotEquals(original.identity(), swapped.identity());
    }

    @Test
    void timedWhenAnyEdgeOfTheCycleHasATimeout() {
        WaitEdge timed = new WaitEdge(2, 1, B, Mode.EXCLUSIVE, Mode.EXCLUSIVE, true, 1);

        assertFalse(new Cycle(List.of(edge(1, A, 2), edge(2, B, 1))).timed());
        assertTrue(new Cycle(List.of(edge(1, A, 2), timed)).timed());
        assertTrue(new Cycle(List.of(new WaitEdge(2, 2, B, Mode.EXCLUSIVE, Mode.READ, true, 1))).timed());
    }

    @Test
    void threadIdsAreTheWaitersInCycleOrder() {
        assertEquals(List.of(1L, 2L, 3L), new Cycle(threeThreads()).threadIds());
    }

    @Test
    void emptyCycleIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Cycle(List.of()));
    }

    @Test
    void cycleKeepsItsOwnCopyOfTheEdges() {
        List<WaitEdge> edges = new ArrayList<>(threeThreads());
        Cycle cycle = new Cycle(edges);

        edges.clear();

        assertEquals(threeThreads(), cycle.edges());
        assertThrows(UnsupportedOperationException.class, () -> cycle.edges().clear());
    }

    private static final LockRef S = new LockRef("java.util.concurrent.Semaphore$NonfairSync", 0x3a71f4dd);

    private static WaitEdge permit(long waiter, long holder) {
        return new WaitEdge(waiter, holder, S, Mode.PERMIT, Mode.PERMIT, false, 1);
    }

    /** Issue 14, scenario 8: one permit released is enough, so a holder outside the cycle could still end it. */
    @Test
    void aCycleThroughAPermitHolderCountsOnlyWhenEveryHolderOfThatSemaphoreIsInIt() {
        WaitForGraph.Builder b = WaitForGraph.builder();
        for (long id = 1; id <= 3; id++) {
            b.node(new ThreadNode(id, "t" + id, false));
        }
        b.edge(permit(1, 2)).edge(edge(2, A, 1));
        Cycle cycle = new Cycle(List.of(permit(1, 2), edge(2, A, 1)));
        assertTrue(cycle.permitHoldersInside(b.build()), "the only holder is in the cycle");

        b.edge(permit(1, 3)); // thread 3 holds a permit too, and waits for nothing: it may release
        assertFalse(cycle.permitHoldersInside(b.build()));

        b.edge(edge(3, B, 1)); // now 3 waits for 1 as well, but it is not in this cycle: still not counted
        assertFalse(cycle.permitHoldersInside(b.build()));
        assertTrue(new Cycle(List.of(edge(1, A, 2), edge(2, B, 1))).permitHoldersInside(b.build()),
                "a cycle without permit edges");
    }
}
