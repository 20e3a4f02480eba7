package dev.lockwatch.agent.graph;

import java.util.List;

/**
 * A pool and its live worker threads.
 *
 * @param canGrow the pool can still add a worker (below its maximum size, with a queue that fills up): then its
 *                queued tasks are not starved even if every worker is stuck
 */
public record PoolState(LockRef pool, List<Long> workers, boolean canGrow) {
    public PoolState {
        workers = List.copyOf(workers);
    }

    public PoolState(LockRef pool, List<Long> workers) {
        this(pool, workers, false);
    }
}
