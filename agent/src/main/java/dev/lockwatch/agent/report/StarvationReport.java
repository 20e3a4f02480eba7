package dev.lockwatch.agent.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A pool whose workers are all stuck while tasks queued in it wait for a worker, and the pool cannot add one.
 *
 * @param pool    the pool, as class and identity hash
 * @param workers how many live workers the pool has (all of them stuck)
 * @param threads the stuck workers first, then other threads waiting for the pool's queued tasks
 * @param queued  the queued tasks that cannot start
 */
public record StarvationReport(String fingerprint, String pool, int workers, List<ThreadReport> threads,
                               List<QueuedTask> queued) implements Report {
    public StarvationReport {
        threads = List.copyOf(threads);
        queued = List.copyOf(queued);
    }

    /** A task that cannot start, and who waits for it. */
    public record QueuedTask(String task, String name, List<String> waitedBy) {
        public QueuedTask {
            waitedBy = List.copyOf(waitedBy);
        }
    }

    @Override
    public EventKind kind() {
        return EventKind.STARVATION;
    }

    @Override
    public List<String> threadNames() {
        return Sites.names(threads);
    }

    @Override
    public List<String> sites() {
        List<String> sites = new ArrayList<>();
        Sites.addThreads(sites, threads);
        return sites;
    }
}
