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
    void fingerprintIsTheSameForEveryRotationAndOrderOfTheSameEdges() {
        String reference = new Cycle(threeThreads()).fingerprint();
        List<WaitEdge> edges = new ArrayList<>(threeThreads());
        for (int rotation = 0; rotation < 3; rotation++) {
            Collections.rotate(edges, 1);
            assertEquals(reference, new Cycle(edges).fingerprint(), "rotation " + edges);
            List<WaitEdge> reversed = new ArrayList<>(edges);
            Collections.reverse(reversed);
            assertEquals(reference, new Cycle(reversed).fingerprint(), "order " + reversed);
        }
    }

    @Test
    void fingerprintStaysWhileTheSameThreadsWaitForTheSameLocks() {
        // Modes, timeouts and episodes are read again at every tick; the identity of the deadlock is not.
        List<WaitEdge> later = List.of(
                new WaitEdge(1, 2, A, Mode.MONITOR, Mode.READ, true, 99),
                new WaitEdge(2, 3, B, Mode.READ, Mode.QUEUED, false, 7),
                new WaitEdge(3, 1, C, Mode.EXCLUSIVE, Mode.MONITOR, true, 12345));

        assertEquals(new Cycle(threeThreads()).fingerprint(), new Cycle(later).fingerprint());
    }

    @Test
    void fingerprintDiffersWhenOneLockHasAnotherIdentity() {
        List<WaitEdge> other = List.of(edge(1, A, 2), edge(2, new LockRef(SYNC, 0x4554617d), 3), edge(3, C, 1));

        assertNotEquals(new Cycle(threeThreads()).fingerprint(), new Cycle(other).fingerprint());
    }

    @Test
    void fingerprintDiffersWhenOneLockHasAnotherClass() {
        List<WaitEdge> other = List.of(edge(1, A, 2), edge(2, B, 3),
                edge(3, new LockRef("com.example.Ledger", 0x74a14482), 1));

        assertNotEquals(new Cycle(threeThreads()).fingerprint(), new Cycle(other).fingerprint());
    }

    @Test
    void fingerprintDiffersWhenOneThreadIsAnother() {
        List<WaitEdge> other = List.of(edge(1, A, 4), edge(4, B, 3), edge(3, C, 1));

        assertNotEquals(new Cycle(threeThreads()).fingerprint(), new Cycle(other).fingerprint());
    }

    @Test
    void fingerprintDiffersWhenTheThreadsSwapTheLocksTheyWaitFor() {
        Cycle original = new Cycle(List.of(edge(1, A, 2), edge(2, B, 1)));
        Cycle swapped = new Cycle(List.of(edge(1, B, 2), edge(2, A, 1)));

        assertNotEquals(original.fingerprint(), swapped.fingerprint());
    }

    @Test
    void fingerprintIsSixteenLowercaseHexCharsLeadingZerosIncluded() {
        Set<String> seen = new HashSet<>();
        boolean leadingZeroSeen = false;
        for (int i = 0; i < 2000; i++) {
            String fp = new Cycle(List.of(edge(i, new LockRef(SYNC, i * 31), i + 1), edge(i + 1, A, i))).fingerprint();
            assertTrue(fp.matches("[0-9a-f]{16}"), "fingerprint '" + fp + "'");
            leadingZeroSeen |= fp.charAt(0) == '0';
            seen.add(fp);
        }
        assertTrue(leadingZeroSeen, "the inputs should include a hash with a leading zero nibble");
        assertEquals(2000, seen.size(), "2000 different cycles, 2000 different fingerprints");
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
}
