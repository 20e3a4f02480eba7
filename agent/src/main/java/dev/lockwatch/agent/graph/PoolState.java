package dev.lockwatch.agent.graph;

import java.util.List;

/** A pool and its live worker threads. */
public record PoolState(LockRef pool, List<Long> workers) {
    public PoolState {
        workers = List.copyOf(workers);
    }
}
