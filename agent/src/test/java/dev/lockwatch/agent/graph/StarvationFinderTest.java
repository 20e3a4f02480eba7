package dev.lockwatch.agent.graph;

import dev.lockwatch.agent.graph.WaitEdge.Mode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link StarvationFinder} on hand-built graphs, queued waits and pools: the greatest fixpoint of "stuck". */
class StarvationFinderTest {
    private static final LockRef POOL = new LockRef("java.util.concurrent.ThreadPoolExecutor", 0x1);
    private static final LockRef OTHER_POOL = new LockRef("java.util.concurrent.ThreadPoolExecutor", 0x2);
    private static final LockRef LOCK = new LockRef("java.util.concurrent.locks.ReentrantLock$NonfairSync", 0x3);

    private static LockRef task(int n) {
        return new LockRef("java.util.concurrent.FutureTask", 0x100 + n);
    }

    private static QueuedWait queued(long waiter, int task, LockRef pool) {
        return new QueuedWait(waiter, task(task), "java.util.concurrent.FutureTask of Part", pool, 1);
    }

    private static WaitForGraph graph(long[] threads, WaitEdge... edges) {
        WaitForGraph.Builder b = WaitForGraph.builder();
        for (long t : threads) {
            b.node(new ThreadNode(t, "t" + t, false));
        }
        for (WaitEdge e : edges) {
            b.edge(e);
        }
        return b.build();
    }

    private static WaitEdge lockWait(long waiter, long holder, boolean timed) {
        return new WaitEdge(waiter, holder, LOCK, Mode.EXCLUSIVE, Mode.EXCLUSIVE, timed, 1);
    }

    @Test
    void everyWorkerWaitingForATaskQueuedInItsOwnPoolIsStarvation() {
        List<QueuedWait> queued = List.of(queued(2, 2, POOL), queued(1, 1, POOL));
        List<Starvation> found = StarvationFinder.find(graph(new long[] {1, 2}), queued,
                List.of(new PoolState(POOL, List.of(2L, 1L))));

        assertEquals(1, found.size());
        Starvation s = found.get(0);
        assertEquals(POOL, s.pool().pool());
        assertEquals(List.of(1L, 2L), s.workers(), "sorted, so the identity does not depend on the read order");
        assertEquals(List.of(queued(1, 1, POOL), queued(2, 2, POOL)), s.queued());
    }

    @Test
    void aPoolThatCanStillAddAWorkerIsNotStarved() {
        List<Starvation> found = StarvationFinder.find(graph(new long[] {1}), List.of(queued(1, 1, POOL)),
                List.of(new PoolState(POOL, List.of(1L), true)));

        assertEquals(List.of(), found);
    }

    @Test
    void oneWorkerThatDoesNotWaitKeepsThePoolGoing() {
        List<Starvation> found = StarvationFinder.find(graph(new long[] {1, 2}), List.of(queued(1, 1, POOL)),
                List.of(new PoolState(POOL, List.of(1L, 2L))));

        assertEquals(List.of(), found);
    }

    @Test
    void aWorkerBlockedOnALockHeldByAStuckWorkerIsStuckToo() {
        // worker 1 waits for a task queued in its pool; worker 2 waits for a lock worker 1 holds
        List<Starvation> found = StarvationFinder.find(graph(new long[] {1, 2}, lockWait(2, 1, false)),
                List.of(queued(1, 1, POOL)), List.of(new PoolState(POOL, List.of(1L, 2L))));

        assertEquals(1, found.size());
        assertEquals(List.of(1L, 2L), found.get(0).workers());
        assertEquals(List.of(queued(1, 1, POOL)), found.get(0).queued());
    }

    @Test
    void aTimedWaitEndsByItselfAndKeepsNothingStuck() {
        List<Starvation> found = StarvationFinder.find(graph(new long[] {1, 2}, lockWait(2, 1, true)),
                List.of(queued(1, 1, POOL)), List.of(new PoolState(POOL, List.of(1L, 2L))));

        assertEquals(List.of(), found);
    }

    @Test
    void aWorkerWaitingForALockHeldByAThreadThatRunsFreelyIsNotStuck() {
        // thread 3 holds the lock and waits for nothing: it will release it
        List<Starvation> found = StarvationFinder.find(graph(new long[] {1, 2, 3}, lockWait(2, 3, false)),
                List.of(queued(1, 1, POOL)), List.of(new PoolState(POOL, List.of(1L, 2L))));

        assertEquals(List.of(), found);
    }

    @Test
    void twoPoolsWaitingForEachOthersQueuesAreBothStarved() {
        List<QueuedWait> queued = List.of(queued(1, 1, OTHER_POOL), queued(2, 2, POOL));
        List<Starvation> found = StarvationFinder.find(graph(new long[] {1, 2}), queued,
                List.of(new PoolState(POOL, List.of(1L)), new PoolState(OTHER_POOL, List.of(2L))));

        assertEquals(2, found.size());
        assertEquals(POOL, found.get(0).pool().pool());
        assertEquals(List.of(queued(2, 2, POOL)), found.get(0).queued());
        assertEquals(OTHER_POOL, found.get(1).pool().pool());
        assertEquals(List.of(queued(1, 1, OTHER_POOL)), found.get(1).queued());
    }

    @Test
    void aThreadOutsideThePoolWaitingForItsQueueIsNamedWithTheWorkers() {
        // the pool's only worker waits for a queued task; thread 9, no worker, waits for another one
        List<QueuedWait> queued = List.of(queued(1, 1, POOL), queued(9, 2, POOL));
        List<Starvation> found = StarvationFinder.find(graph(new long[] {1, 9}), queued,
                List.of(new PoolState(POOL, List.of(1L))));

        assertEquals(1, found.size());
        assertEquals(List.of(1L), found.get(0).workers());
        assertEquals(queued, found.get(0).queued());
    }

    @Test
    void aPoolWithoutWorkersOrQueuedWaitsIsNeverStarved() {
        assertEquals(List.of(), StarvationFinder.find(graph(new long[] {1}), List.of(), List.of(new PoolState(POOL, List.of()))));
        assertEquals(List.of(), StarvationFinder.find(graph(new long[] {1}), List.of(queued(1, 1, POOL)),
                List.of(new PoolState(POOL, List.of()))));
    }

    /** Issue 14, scenario 8: a worker waiting for a semaphore is stuck only while every permit holder is. */
    @Test
    void aWorkerWaitingForAPermitIsStuckOnlyWhileEveryHolderIs() {
        LockRef semaphore = new LockRef("java.util.concurrent.Semaphore$NonfairSync", 0x4);
        WaitEdge toStuckWorker = new WaitEdge(2, 1, semaphore, Mode.PERMIT, Mode.PERMIT, false, 1);
        WaitEdge toFreeThread = new WaitEdge(2, 3, semaphore, Mode.PERMIT, Mode.PERMIT, false, 1);
        List<PoolState> pools = List.of(new PoolState(POOL, List.of(1L, 2L)));

        List<Starvation> found = StarvationFinder.find(graph(new long[] {1, 2, 3}, toStuckWorker, toFreeThread),
                List.of(queued(1, 1, POOL)), pools);
        assertEquals(List.of(), found, "thread 3 holds a permit and waits for nothing: it may release");

        found = StarvationFinder.find(graph(new long[] {1, 2}, toStuckWorker), List.of(queued(1, 1, POOL)), pools);
        assertEquals(1, found.size(), "the only holder is a stuck worker");
    }
}
