package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds starved pools: pools whose every worker is stuck while a task queued in the pool is waited for.
 *
 * <p>A wait for a queued task is an OR-wait (any worker could take the task), which a cycle search cannot
 * judge, so stuck-ness is computed as a greatest fixpoint: start by assuming every waiting thread and every
 * pool with a queued wait is stuck, then repeatedly release what cannot be stuck, until nothing changes:
 * <ul>
 *   <li>a thread is stuck while some thread it waits for (by an untimed wait) is stuck, or the pool of a
 *       queued task it waits for is stuck; for a semaphore permit, every holder of that semaphore's permits (one
 *       release is enough); a thread that does not wait is never stuck;</li>
 *   <li>a pool is stuck while it has workers, all of them are stuck, and it cannot add a worker.</li>
 * </ul>
 * Timed waits end by themselves, so they never keep anything stuck. A pure function of its inputs.
 */
public final class StarvationFinder {
    private StarvationFinder() {
    }

    public static List<Starvation> find(WaitForGraph graph, List<QueuedWait> queued, List<PoolState> pools) {
        Map<LockRef, PoolState> poolByRef = new HashMap<>();
        for (PoolState p : pools) {
            poolByRef.put(p.pool(), p);
        }
        Map<Long, List<QueuedWait>> queuedBy = new HashMap<>();
        Set<Long> stuck = new HashSet<>();
        Set<LockRef> stuckPools = new HashSet<>();
        for (QueuedWait q : queued) {
            queuedBy.computeIfAbsent(q.waiter(), k -> new ArrayList<>()).add(q);
            stuck.add(q.waiter());
            PoolState p = poolByRef.get(q.pool());
            if (p != null && !p.canGrow()) {
                stuckPools.add(q.pool());
            }
        }
        if (stuckPools.isEmpty()) {
            return List.of();
        }
        for (WaitEdge e : graph.edges()) {
            if (!e.timed()) {
                stuck.add(e.waiter());
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Long t : new ArrayList<>(stuck)) {
                if (!threadStuck(t, graph, queuedBy, stuck, stuckPools)) {
                    stuck.remove(t);
                    changed = true;
                }
            }
            for (LockRef p : new ArrayList<>(stuckPools)) {
                List<Long> workers = poolByRef.get(p).workers();
                if (workers.isEmpty() || !stuck.containsAll(workers)) {
                    stuckPools.remove(p);
                    changed = true;
                }
            }
        }
        List<Starvation> found = new ArrayList<>();
        for (PoolState p : pools) {
            if (!stuckPools.contains(p.pool())) {
                continue;
            }
            List<QueuedWait> waits = new ArrayList<>();
            for (QueuedWait q : queued) {
                if (q.pool().equals(p.pool()) && stuck.contains(q.waiter())) {
                    waits.add(q);
                }
            }
            List<Long> workers = new ArrayList<>(p.workers());
            workers.sort(null);
            waits.sort((a, b) -> Long.compare(a.waiter(), b.waiter()));
            found.add(new Starvation(p, workers, waits));
        }
        return found;
    }

    private static boolean threadStuck(long t, WaitForGraph graph, Map<Long, List<QueuedWait>> queuedBy,
                                       Set<Long> stuck, Set<LockRef> stuckPools) {
        List<WaitEdge> out = graph.outgoing(t);
        for (WaitEdge e : out) {
            if (!e.timed() && stuck.contains(e.holder()) && e.permitHoldersAllIn(out, stuck)) {
                return true;
            }
        }
        for (QueuedWait q : queuedBy.getOrDefault(t, List.of())) {
            if (stuckPools.contains(q.pool())) {
                return true;
            }
        }
        return false;
    }
}
