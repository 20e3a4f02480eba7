package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.Cycle;
import dev.lockwatch.agent.graph.CycleFinder;
import dev.lockwatch.agent.report.EventKind;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * DEADLOCK: the cycles of the wait-for graph, each confirmed by a second read. A cycle of untimed waits is
 * reported at the first check that sees it; a cycle in which some wait has a timeout may still resolve by itself,
 * so only once the same wait episodes are still there at the next check.
 */
public final class DeadlockDetector implements Detector {
    private static final int MAX_CYCLES = 64;

    private final Sampler sampler;
    private final ReportBuilder reports;

    public DeadlockDetector(Sampler sampler, ReportBuilder reports) {
        this.sampler = sampler;
        this.reports = reports;
    }

    @Override
    public void find(Sample sample, List<Finding> findings) {
        for (Cycle cycle : CycleFinder.find(sample.graph(), MAX_CYCLES)) {
            if (!sampler.confirm(cycle)) {
                continue;
            }
            Set<Long> threads = new HashSet<>(cycle.threadIds());
            findings.add(new Finding(EventKind.DEADLOCK, "deadlock " + cycle.identity(), cycle.timed() ? 2 : 1, threads,
                    () -> reports.deadlock(cycle, sample)));
        }
    }
}
