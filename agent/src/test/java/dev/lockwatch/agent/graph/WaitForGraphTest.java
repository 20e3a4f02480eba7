package dev.lockwatch.agent.graph;

import dev.lockwatch.agent.graph.WaitEdge.Mode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WaitForGraphTest {
    private static final LockRef A = new LockRef("java.util.concurrent.locks.ReentrantLock$NonfairSync", 0xa);
    private static final LockRef B = new LockRef("java.util.concurrent.locks.ReentrantLock$NonfairSync", 0xb);
    private static final LockRef RW = new LockRef("java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync", 0xc);

    private static ThreadNode node(long id) {
        return new ThreadNode(id, "t" + id, false);
    }

    private static WaitEdge edge(long waiter, LockRef lock, long holder) {
        return new WaitEdge(waiter, holder, lock, Mode.EXCLUSIVE, Mode.EXCLUSIVE, false, 1);
    }

    @Test
    void buildRejectsAnEdgeToAHolderThatIsNotANode() {
        WaitForGraph.Builder b = WaitForGraph.builder().node(node(1)).edge(edge(1, A, 2));

        IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
        assertTrue(e.getMessage().contains("not a node"), e.getMessage());
    }

    @Test
    void buildRejectsAnEdgeFromAWaiterThatIsNotANode() {
        WaitForGraph.Builder b = WaitForGraph.builder().node(node(2)).edge(edge(1, A, 2));

        assertThrows(IllegalStateException.class, b::build);
    }

    @Test
    void nodeAddedAfterTheEdgeMakesTheEdgeValid() {
        WaitForGraph g = WaitForGraph.builder().edge(edge(1, A, 2)).node(node(1)).node(node(2)).build();

        assertEquals(List.of(edge(1, A, 2)), g.edges());
    }

    @Test
    void duplicateEdgesCollapseIntoOne() {
        WaitForGraph g = WaitForGraph.builder().node(node(1)).node(node(2))
                .edge(edge(1, A, 2)).edge(edge(1, A, 2)).edge(edge(1, A, 2))
                .build();

        assertEquals(List.of(edge(1, A, 2)), g.edges());
        assertEquals(List.of(edge(1, A, 2)), g.outgoing(1));
    }

    @Test
    void edgesThatDifferInAnyFieldAreKept() {
        WaitEdge first = new WaitEdge(1, 2, RW, Mode.EXCLUSIVE, Mode.READ, false, 1);
        WaitEdge laterEpisode = new WaitEdge(1, 2, RW, Mode.EXCLUSIVE, Mode.READ, false, 2);
        WaitEdge timed = new WaitEdge(1, 2, RW, Mode.EXCLUSIVE, Mode.READ, true, 1);

        WaitForGraph g = WaitForGraph.builder().node(node(1)).node(node(2))
                .edge(first).edge(laterEpisode).edge(timed).build();

        assertEquals(List.of(first, laterEpisode, timed), g.edges());
    }

    @Test
    void outgoingListsTheEdgesOfOneWaiterInInsertionOrder() {
        WaitForGraph g = WaitForGraph.builder().node(node(1)).node(node(2)).node(node(3))
                .edge(edge(1, RW, 3)).edge(edge(2, B, 1)).edge(edge(1, RW, 2))
                .build();

        assertEquals(List.of(edge(1, RW, 3), edge(1, RW, 2)), g.outgoing(1));
        assertEquals(List.of(edge(2, B, 1)), g.outgoing(2));
        assertEquals(List.of(), g.outgoing(3), "a thread that waits for nothing");
        assertEquals(List.of(), g.outgoing(42), "a thread that is not in the graph");
    }

    @Test
    void firstNodeGivenForAnIdIsKept() {
        WaitForGraph.Builder b = WaitForGraph.builder()
                .node(new ThreadNode(1, "first", false))
                .node(new ThreadNode(1, "second", true));

        assertTrue(b.hasNode(1));
        assertFalse(b.hasNode(2));
        assertEquals(new ThreadNode(1, "first", false), b.build().node(1));
        assertEquals(Map.of(1L, new ThreadNode(1, "first", false)), b.build().nodes());
    }

    @Test
    void graphIsASnapshotThatLaterBuilderCallsDoNotChange() {
        WaitForGraph.Builder b = WaitForGraph.builder().node(node(1)).node(node(2)).edge(edge(1, A, 2));
        WaitForGraph g = b.build();

        b.node(node(3)).edge(edge(2, B, 3)).edge(edge(1, B, 3));

        assertEquals(List.of(edge(1, A, 2)), g.edges());
        assertEquals(List.of(edge(1, A, 2)), g.outgoing(1));
        assertEquals(2, g.nodes().size());
        assertThrows(UnsupportedOperationException.class, () -> g.edges().clear());
        assertThrows(UnsupportedOperationException.class, () -> g.outgoing(1).clear());
        assertThrows(UnsupportedOperationException.class, () -> g.nodes().clear());
    }

    @Test
    void sameWaitIgnoresTheHolderButNotTheEpisodeOrLock() {
        WaitEdge behindReaderTwo = new WaitEdge(1, 2, RW, Mode.EXCLUSIVE, Mode.READ, false, 5);
        WaitEdge behindReaderThree = new WaitEdge(1, 3, RW, Mode.EXCLUSIVE, Mode.READ, false, 5);

        assertTrue(behindReaderTwo.sameWait(behindReaderThree));
        assertFalse(behindReaderTwo.sameWait(new WaitEdge(1, 2, RW, Mode.EXCLUSIVE, Mode.READ, false, 6)));
        assertFalse(behindReaderTwo.sameWait(new WaitEdge(1, 2, A, Mode.EXCLUSIVE, Mode.READ, false, 5)));
        assertFalse(behindReaderTwo.sameWait(new WaitEdge(4, 2, RW, Mode.EXCLUSIVE, Mode.READ, false, 5)));
    }

    @Test
    void lockKeyIsClassNameAtHexIdentityHashAsJstackPrintsIt() {
        assertEquals("java.util.concurrent.locks.ReentrantLock$NonfairSync@1b6d3586",
                new LockRef("java.util.concurrent.locks.ReentrantLock$NonfairSync", 0x1b6d3586).key());
        assertEquals("x.Y@ffffffff", new LockRef("x.Y", -1).toString());
    }

    @Test
    void lockRefOfNeverCallsTheLocksOwnHashCodeOrToString() {
        Object hostile = new Object() {
            @Override
            public int hashCode() {
                throw new AssertionError("hashCode of an application object was called");
            }

            @Override
            public String toString() {
                throw new AssertionError("toString of an application object was called");
            }
        };

        LockRef ref = LockRef.of(hostile);

        assertEquals(hostile.getClass().getName(), ref.className());
        assertEquals(System.identityHashCode(hostile), ref.identityHash());
    }
}
