package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.QueuedWait;
import dev.lockwatch.agent.graph.Starvation;
import dev.lockwatch.agent.graph.StarvationFinder;
import dev.lockwatch.agent.report.EventKind;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * STARVATION: pools whose every worker is stuck while tasks queued in them are waited for, and that cannot add a
 * worker. One read of many threads is not atomic; two identical ones a check apart mean nothing moved, so a
 * starvation is reported once the same waits have been seen on two consecutive checks.
 */
public final class StarvationDetector implements Detector {
    private final ReportBuilder reports;

    public StarvationDetector(ReportBuilder reports) {
        this.reports = reports;
    }

    @Override
    public void find(Sample sample, List<Finding> findings) {
        for (Starvation s : StarvationFinder.find(sample.graph(), sample.queued(), sample.pools())) {
            Set<Long> threads = new HashSet<>(s.workers());
            for (QueuedWait q : s.queued()) {
                threads.add(q.waiter());
            }
            findings.add(new Finding(EventKind.STARVATION, "starvation " + s.identity(sample.graph()), 2, threads,
                    () -> reports.starvation(s, sample)));
        }
    }
}
