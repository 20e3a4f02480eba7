package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.Cycle;
import dev.lockwatch.agent.graph.CycleFinder;
import dev.lockwatch.agent.graph.WaitEdge;
import dev.lockwatch.agent.report.EventKind;
import dev.lockwatch.bootstrap.ThreadRecord;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * DEADLOCK: the cycles of the wait-for graph, each confirmed by a second read. A cycle of untimed waits is
 * reported at the first check that sees it; a cycle in which some wait has a timeout may still resolve by itself,
 * so only once the same wait episodes are still there at the next check and every wait of the cycle has lasted at
 * least {@link #TIMED_MINIMUM_NANOS}. The second condition is what keeps a timed back-off quiet when the interval is
 * shorter than its timeout: two threads that {@code tryLock(other, 100 ms)} in opposite orders form a real cycle for
 * up to 100 ms, which two checks 50 ms apart both see in the same episodes; it ends with a failed tryLock. A wait of
 * unknown age (a monitor, a wait begun before an attach) does not hold the report back. A cycle with a wait for a
 * class's initialization ({@link ClassInitWaits}) is reported at the second check that sees the same threads frozen
 * at the same CPU times: a slow static initializer moves in between.
 *
 * <p>A cycle through a semaphore's permit holder ({@link WaitEdge.Mode#PERMIT}) counts only when every holder of
 * that semaphore's permits is in the cycle: a holder outside it could still release, and one permit is enough.
 */
public final class DeadlockDetector implements Detector {
    private static final int MAX_CYCLES = 64;
    /** How long every wait of a timed cycle must have lasted before it is reported (a back-off is shorter). */
    static final long TIMED_MINIMUM_NANOS = 1_000_000_000L;
    /** checksNeeded of a timed cycle that is still too young: never reached while it stays so. */
    private static final int NOT_YET = Integer.MAX_VALUE;

    private final Sampler sampler;
    private final ReportBuilder reports;

    public DeadlockDetector(Sampler sampler, ReportBuilder reports) {
        this.sampler = sampler;
        this.reports = reports;
    }

    @Override
    public void find(Sample sample, List<Finding> findings) {
        for (Cycle cycle : CycleFinder.find(sample.graph(), MAX_CYCLES)) {
            if (!cycle.permitHoldersInside(sample.graph()) || !sampler.confirm(cycle)) {
                continue;
            }
            Set<Long> threads = new HashSet<>(cycle.threadIds());
            int checksNeeded = !cycle.timed() ? 1 : lastedLongEnough(cycle, sample) ? 2 : NOT_YET;
            if (cycle.classInit()) {
                checksNeeded = Math.max(checksNeeded, 2); // a thread that does not move for one interval may be slow
            }
            findings.add(new Finding(EventKind.DEADLOCK, "deadlock " + cycle.identity(), checksNeeded, threads,
                    () -> reports.deadlock(cycle, sample)));
        }
    }

    /**
     * Every wait of the cycle whose start is known (from the waiter's record, still in the same episode) began at least
     * {@link #TIMED_MINIMUM_NANOS} ago. The finding is still tracked while it is younger (its key keeps its count of
     * checks), so a lasting timed cycle is reported at the first check after it came of age.
     */
    static boolean lastedLongEnough(Cycle cycle, Sample sample) {
        long now = System.nanoTime();
        for (WaitEdge e : cycle.edges()) {
            ThreadRecord r = e.waitMode() == WaitEdge.Mode.MONITOR ? null : sample.records().get(e.waiter());
            if (r == null) {
                continue; // no record of when it began
            }
            if (r.waitingOn() == null || r.waitEpoch() != (int) e.episode()
                    || now - r.waitSinceNanos() < TIMED_MINIMUM_NANOS) {
                return false; // over by now, or still young
            }
        }
        return true;
    }
}
