package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * Every worker of {@code pool} is stuck, directly or through other threads, while tasks queued in that pool wait
 * for a worker: none of them can ever start.
 *
 * @param workers the pool's workers, all stuck
 * @param queued  waits for tasks queued in this pool, by stuck threads (workers or not)
 */
public record Starvation(PoolState pool, List<Long> workers, List<QueuedWait> queued) {
    public Starvation {
        workers = List.copyOf(workers);
        queued = List.copyOf(queued);
    }

    /** Identifies the starvation while it lasts: the same pool, workers and queued waits, in the same episodes. */
    public String identity(WaitForGraph graph) {
        StringBuilder sb = new StringBuilder("pool ").append(pool.pool().key()).append(';');
        for (QueuedWait q : queued) {
            sb.append(q.waiter()).append('>').append(q.task().key()).append(';');
        }
        return sb.append(episodes(graph)).toString();
    }

    /** Identifies the wait episodes: equal on two reads means nothing moved in between. */
    public String episodes(WaitForGraph graph) {
        StringBuilder sb = new StringBuilder();
        for (long w : workers) {
            for (WaitEdge e : graph.outgoing(w)) {
                sb.append(w).append(':').append(e.episode()).append(';');
            }
        }
        for (QueuedWait q : queued) {
            sb.append(q.waiter()).append(':').append(q.episode()).append(';');
        }
        return sb.toString();
    }
}
