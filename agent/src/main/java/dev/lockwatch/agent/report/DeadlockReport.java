package dev.lockwatch.agent.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Threads that wait for each other forever.
 *
 * @param timed   some wait in the cycle has a timeout; reported once the same waits lasted two checks
 * @param threads the threads of the cycle, in cycle order: each waits for a lock (or task) the next one holds
 */
public record DeadlockReport(String fingerprint, boolean timed, List<ThreadReport> threads) implements Report {
    public DeadlockReport {
        threads = List.copyOf(threads);
    }

    @Override
    public EventKind kind() {
        return EventKind.DEADLOCK;
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
