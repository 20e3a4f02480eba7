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

    /** Same pool, same stuck workers, same queued tasks: same fingerprint. */
    public String fingerprint() {
        List<String> parts = new ArrayList<>();
        parts.add("pool " + pool.pool().key());
        for (long w : workers) {
            parts.add("worker " + w);
        }
        for (QueuedWait q : queued) {
            parts.add(q.waiter() + ">" + q.task().key());
        }
        return Cycle.hash(parts);
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
