package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.Cycle;
import dev.lockwatch.agent.graph.CycleFinder;
import dev.lockwatch.agent.graph.Starvation;
import dev.lockwatch.agent.graph.StarvationFinder;
import dev.lockwatch.agent.report.HeldWhileBlockingReport;
import dev.lockwatch.bootstrap.HeldWhileBlocking;
import dev.lockwatch.bootstrap.ThreadRecord;
import dev.lockwatch.agent.report.EventSink;
import dev.lockwatch.bootstrap.Registry;

import java.time.Duration;
import java.util.Collections;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The agent's one thread: every {@code interval} it samples the wait-for graph, finds its cycles and starved
 * pools and reports each new one once. A cycle of untimed waits is reported on the tick that first sees (and
 * confirms) it; a cycle with a timed wait only once it has been seen on two consecutive ticks, since it may
 * still resolve; a starved pool once the same waits have been seen on two consecutive ticks. It also logs
 * HELD_WHILE_BLOCKING findings.
 *
 * <p>The thread is a daemon, suppressed in the registry (its own locking is never recorded), parks between
 * ticks and never calls application code or takes an application lock.
 *
 * <p>{@link Hooks} let the operations side (reminders, the MBean, dumps) follow each check without changing
 * what is detected.
 */
public final class Watchdog implements Runnable {
    /** Called on the watchdog thread during each check. */
    public interface Hooks {
        /** The check's sample, before anything is reported; not to be kept beyond the call. */
        void sampled(Sample sample);

        /** A deadlock or starvation reported on an earlier check is still there: true to report it again now. */
        boolean remindNow(String fingerprint);

        /** The check is done; {@code present} holds the fingerprints of the cycles and starvations it saw. */
        void checked(Set<String> present);
    }

    private static final Hooks NO_HOOKS = new Hooks() {
        @Override
        public void sampled(Sample sample) {
        }

        @Override
        public boolean remindNow(String fingerprint) {
            return false;
        }

        @Override
        public void checked(Set<String> present) {
        }
    };

    public static final String THREAD_NAME = "lockwatch-watchdog";
    private static final int MAX_CYCLES = 64;

    private final GraphSampler sampler;
    private final ReportBuilder reports;
    private final EventSink sink;
    private final Hooks hooks;
    private volatile long intervalNanos;
    private volatile boolean stopped;

    /** Fingerprints reported and still present: not reported again. */
    private final Set<String> reported = new HashSet<>();
    /** Fingerprints seen on the previous tick (timed cycles need two in a row). */
    private Set<String> previous = new HashSet<>();
    /** Starvations seen on the previous tick, with their wait episodes: reported when unchanged. */
    private Map<String, String> previousStarvations = new HashMap<>();
    /** Hand-off waits whose held monitors were already checked: thread id to wait epoch. */
    private final Map<Long, Integer> checkedHandoffs = new HashMap<>();
    /** Hand-off waits seen on the previous check: thread id to wait epoch. */
    private Map<Long, Integer> previousHandoffs = new HashMap<>();
    private String lastProblem;

    public Watchdog(GraphSampler sampler, ReportBuilder reports, EventSink sink, Duration interval) {
        this(sampler, reports, sink, interval, NO_HOOKS);
    }

    public Watchdog(GraphSampler sampler, ReportBuilder reports, EventSink sink, Duration interval, Hooks hooks) {
        this.sampler = sampler;
        this.reports = reports;
        this.sink = sink;
        this.hooks = hooks;
        this.intervalNanos = interval.toNanos();
    }

    public Thread start() {
        Thread t = new Thread(this, THREAD_NAME);
        t.setDaemon(true);
        t.start();
        return t;
    }

    public void interval(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    public void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        Registry.suppressCurrentThread();
        long next = System.nanoTime() + intervalNanos;
        while (!stopped) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            next = System.nanoTime() + intervalNanos;
            try {
                tick();
            } catch (Throwable t) {
                String problem = String.valueOf(t);
                if (!problem.equals(lastProblem)) { // one line per distinct problem, not one per tick
                    lastProblem = problem;
                    sink.agentProblem("watchdog check failed; it keeps running", t);
                }
            }
        }
    }

    /** One check; returns the number of new reports. Public for the tick-cost measurement. */
    public int tick() {
        Registry.purge();
        Sample sample = sampler.sample();
        hooks.sampled(sample);
        List<Cycle> cycles = CycleFinder.find(sample.graph(), MAX_CYCLES);
        Set<String> seen = new HashSet<>();
        int made = 0;
        for (Cycle cycle : cycles) {
            String fp = cycle.fingerprint();
            seen.add(fp);
            if (reported.contains(fp)) {
                if (hooks.remindNow(fp) && sampler.confirm(cycle)) {
                    sink.deadlock(reports.build(cycle, sample)); // a reminder: not counted as new
                }
                continue;
            }
            if ((cycle.timed() && !previous.contains(fp)) || !sampler.confirm(cycle)) {
                continue;
            }
            reported.add(fp);
            sink.deadlock(reports.build(cycle, sample));
            made++;
        }
        Map<String, String> starvations = new HashMap<>();
        for (Starvation starvation : StarvationFinder.find(sample.graph(), sample.queued(), sample.pools())) {
            String fp = starvation.fingerprint();
            String episodes = starvation.episodes(sample.graph());
            starvations.put(fp, episodes);
            seen.add(fp);
            // Reported once the same threads have stayed in the same waits for two checks: one read of many
            // threads is not atomic, two identical ones a tick apart mean nothing moved.
            if (!reported.contains(fp) && episodes.equals(previousStarvations.get(fp))) {
                reported.add(fp);
                sink.starvation(reports.build(starvation, sample));
                made++;
            } else if (reported.contains(fp) && episodes.equals(previousStarvations.get(fp)) && hooks.remindNow(fp)) {
                sink.starvation(reports.build(starvation, sample)); // a reminder: not counted as new
            }
        }
        reported.retainAll(seen);
        previous = seen;
        previousStarvations = starvations;
        heldWhileBlocking();
        hooks.checked(Collections.unmodifiableSet(seen));
        return made;
    }

    /** Logs what application threads found, then checks new hand-off waits for monitors held across them. */
    private void heldWhileBlocking() {
        HeldWhileBlocking.Note found;
        while ((found = HeldWhileBlocking.poll()) != null) {
            sink.heldWhileBlocking(reports.build(found));
        }
        if (!HeldWhileBlocking.enabled()) {
            return;
        }
        // A hand-off wait is checked once, on the first check after it has lasted a whole interval (waits seen
        // with the same epoch on the previous check), and all such waits in one JVM call.
        Map<Long, Integer> now = new HashMap<>();
        List<ThreadRecord> due = new ArrayList<>();
        for (ThreadRecord r : Registry.waiting()) {
            Thread t = r.get();
            if (r.waitingOn() == null || t == null || r.waitKind() != ThreadRecord.WAIT_HANDOFF) {
                continue;
            }
            int epoch = r.waitEpoch();
            now.put(r.threadId, epoch);
            Integer before = previousHandoffs.get(r.threadId);
            Integer done = checkedHandoffs.get(r.threadId);
            if (before != null && before == epoch && (done == null || done != epoch)) {
                due.add(r);
                checkedHandoffs.put(r.threadId, epoch);
            }
        }
        checkedHandoffs.keySet().retainAll(now.keySet());
        previousHandoffs = now;
        for (HeldWhileBlockingReport report : reports.monitorsHeldWhileBlocking(due)) {
            sink.heldWhileBlocking(report);
        }
    }
}
