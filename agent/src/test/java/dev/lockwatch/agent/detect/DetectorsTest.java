package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.Cycle;
import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.LongTable;
import dev.lockwatch.agent.graph.PoolState;
import dev.lockwatch.agent.graph.QueuedWait;
import dev.lockwatch.agent.graph.ThreadNode;
import dev.lockwatch.agent.graph.WaitEdge;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.graph.WaitForGraph;
import dev.lockwatch.agent.report.EventKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The watchdog's detectors fed hand-built {@link Sample}s, without any agent, JVM reader or sampler: what they
 * find, under which key, after how many checks, about which threads. Reports are built only when a finding is
 * reported, so none is built here (the report builder has nothing to read).
 */
class DetectorsTest {
    private static final LockRef A = new LockRef("java.util.concurrent.locks.ReentrantLock$NonfairSync", 0xa);
    private static final LockRef B = new LockRef("java.util.concurrent.locks.ReentrantLock$NonfairSync", 0xb);
    private static final LockRef POOL = new LockRef("java.util.concurrent.ThreadPoolExecutor", 0x1);
    private static final ReportBuilder NO_REPORTS = new ReportBuilder(null, null, null, null);

    /** A sampler whose second reads say yes or no, counting the cycles asked about. */
    private static final class SecondRead implements Sampler {
        final boolean confirms;
        final List<Cycle> asked = new ArrayList<>();

        SecondRead(boolean confirms) {
            this.confirms = confirms;
        }

        @Override
        public Sample sample() {
            throw new AssertionError("detectors are given their sample");
        }

        @Override
        public boolean confirm(Cycle cycle) {
            asked.add(cycle);
            return confirms;
        }
    }

    private static Sample sample(WaitForGraph graph, List<QueuedWait> queued, List<PoolState> pools) {
        return new Sample(graph, new LongTable<>(0), new LongTable<>(0), queued, pools, Map.of(), List.of(), null, null);
    }

    private static WaitForGraph graph(int threads, WaitEdge... edges) {
        WaitForGraph.Builder b = WaitForGraph.builder();
        for (long t = 1; t <= threads; t++) {
            b.node(new ThreadNode(t, "t" + t, false));
        }
        for (WaitEdge e : edges) {
            b.edge(e);
        }
        return b.build();
    }

    private static WaitEdge wait(long waiter, LockRef lock, long holder, boolean timed, long episode) {
        return new WaitEdge(waiter, holder, lock, Mode.EXCLUSIVE, Mode.EXCLUSIVE, timed, episode);
    }

    private static List<Finding> find(Detector d, Sample s) {
        List<Finding> findings = new ArrayList<>();
        d.find(s, findings);
        return findings;
    }

    @Test
    void aConfirmedCycleOfUntimedWaitsIsADeadlockAtTheFirstCheck() {
        SecondRead sampler = new SecondRead(true);
        Sample s = sample(graph(3, wait(1, B, 2, false, 7), wait(2, A, 1, false, 8)), List.of(), List.of());

        List<Finding> found = find(new DeadlockDetector(sampler, NO_REPORTS), s);

        assertEquals(1, found.size());
        Finding f = found.get(0);
        assertEquals(EventKind.DEADLOCK, f.kind());
        assertEquals(1, f.checksNeeded());
        assertEquals(Set.of(1L, 2L), f.threads(), "thread 3 waits for nothing");
        assertEquals(1, sampler.asked.size());
    }

    @Test
    void aCycleWithATimedWaitNeedsTwoChecks() {
        Sample s = sample(graph(2, wait(1, B, 2, true, 7), wait(2, A, 1, false, 8)), List.of(), List.of());

        assertEquals(2, find(new DeadlockDetector(new SecondRead(true), NO_REPORTS), s).get(0).checksNeeded());
    }

    /** Two frozen threads are not yet a deadlock: a slow static initializer moves before the next check. */
    @Test
    void aCycleOfClassInitializationWaitsNeedsTwoChecks() {
        LockRef classA = new LockRef("com.example.A", 0);
        LockRef classB = new LockRef("com.example.B", 0);
        Sample s = sample(graph(2,
                new WaitEdge(1, 2, classB, Mode.CLASS_INIT, Mode.CLASS_INIT, false, 1_000),
                new WaitEdge(2, 1, classA, Mode.CLASS_INIT, Mode.CLASS_INIT, false, 2_000)), List.of(), List.of());

        List<Finding> found = find(new DeadlockDetector(new SecondRead(true), NO_REPORTS), s);

        assertEquals(1, found.size());
        assertEquals(EventKind.DEADLOCK, found.get(0).kind());
        assertEquals(2, found.get(0).checksNeeded());
        assertEquals(Set.of(1L, 2L), found.get(0).threads());
    }

    @Test
    void aCycleTheSecondReadDoesNotConfirmIsNotFound() {
        Sample s = sample(graph(2, wait(1, B, 2, false, 7), wait(2, A, 1, false, 8)), List.of(), List.of());

        assertEquals(List.of(), find(new DeadlockDetector(new SecondRead(false), NO_REPORTS), s));
    }

    @Test
    void theKeyOfADeadlockChangesWithItsWaitEpisodes() {
        DeadlockDetector d = new DeadlockDetector(new SecondRead(true), NO_REPORTS);
        String first = find(d, sample(graph(2, wait(1, B, 2, false, 7), wait(2, A, 1, false, 8)), List.of(), List.of()))
                .get(0).key();
        String same = find(d, sample(graph(2, wait(1, B, 2, false, 7), wait(2, A, 1, false, 8)), List.of(), List.of()))
                .get(0).key();
        String again = find(d, sample(graph(2, wait(1, B, 2, false, 9), wait(2, A, 1, false, 8)), List.of(), List.of()))
                .get(0).key();

        assertEquals(first, same, "the same waits on two checks: still there");
        assertNotEquals(first, again, "another wait episode: a deadlock that formed again");
    }

    @Test
    void noCycleNoDeadlock() {
        Sample s = sample(graph(3, wait(1, A, 2, false, 1), wait(2, B, 3, false, 1)), List.of(), List.of());

        assertEquals(List.of(), find(new DeadlockDetector(new SecondRead(true), NO_REPORTS), s));
    }

    @Test
    void aStarvedPoolIsFoundAboutItsWorkersAndWaitersAfterTwoChecks() {
        LockRef t1 = new LockRef("java.util.concurrent.FutureTask", 0x11);
        LockRef t2 = new LockRef("java.util.concurrent.FutureTask", 0x12);
        List<QueuedWait> queued = List.of(new QueuedWait(1, t1, "Part", POOL, 1), new QueuedWait(2, t2, "Part", POOL, 1),
                new QueuedWait(3, t2, "Part", POOL, 4));
        Sample s = sample(graph(3), queued, List.of(new PoolState(POOL, List.of(1L, 2L))));

        List<Finding> found = find(new StarvationDetector(NO_REPORTS), s);

        assertEquals(1, found.size());
        assertEquals(EventKind.STARVATION, found.get(0).kind());
        assertEquals(2, found.get(0).checksNeeded(), "one read of many threads could be a coincidence of moments");
        assertEquals(Set.of(1L, 2L, 3L), found.get(0).threads(), "the workers and thread 3, which waits outside the pool");
    }

    @Test
    void aPoolThatCanGrowIsNoStarvation() {
        LockRef t1 = new LockRef("java.util.concurrent.FutureTask", 0x11);
        Sample s = sample(graph(1), List.of(new QueuedWait(1, t1, "Part", POOL, 1)),
                List.of(new PoolState(POOL, List.of(1L), true)));

        assertEquals(List.of(), find(new StarvationDetector(NO_REPORTS), s));
    }
}
