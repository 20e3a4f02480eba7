package dev.lockwatch.agent.alert;

import dev.lockwatch.agent.detect.Finding;
import dev.lockwatch.agent.detect.FindingSink;
import dev.lockwatch.agent.detect.Sample;
import dev.lockwatch.agent.report.Report;
import dev.lockwatch.agent.report.SafeText;
import dev.lockwatch.agent.report.TextEncoder;

import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The one path from finding to output (after JaCoCo's agent runtime, which hands every result to one output list):
 * the {@link Tracker} says new / still there / gone, the {@link Policy} says suppress, remind or act, and every
 * event goes to every {@link Output} (log, JFR, MBean); then the action runs ({@link Actions}: dump, halt).
 *
 * <p>Threading: everything but {@link #policy(Policy)} runs on the watchdog thread. An output that throws is
 * reported once and the others still get the event.
 */
public final class Pipeline implements FindingSink {
    private final List<Output> outputs;
    private final Actions actions;
    private final Stats stats;
    private final long pid;
    private final String host;
    private final LongSupplier nanoTime;
    private final LongSupplier clock;
    private final Tracker tracker = new Tracker();
    private volatile Policy policy;
    private String lastProblem;

    public Pipeline(List<Output> outputs, Actions actions, Stats stats, long pid, String host, Policy policy) {
        this(outputs, actions, stats, pid, host, policy, System::nanoTime, System::currentTimeMillis);
    }

    Pipeline(List<Output> outputs, Actions actions, Stats stats, long pid, String host, Policy policy,
             LongSupplier nanoTime, LongSupplier clock) {
        this.outputs = List.copyOf(outputs);
        this.actions = actions;
        this.stats = stats;
        this.pid = pid;
        this.host = host;
        this.policy = policy;
        this.nanoTime = nanoTime;
        this.clock = clock;
    }

    public Policy policy() {
        return policy;
    }

    public void policy(Policy policy) {
        this.policy = policy;
    }

    @Override
    public void checked(Sample sample, List<Finding> findings) {
        long check = stats.checked();
        for (Output o : outputs) { // first: a dump written for this check's events shows this check's graph
            try {
                o.checked(sample, check);
            } catch (Throwable t) {
                problem("an output failed to take a check", t);
            }
        }
        Tracker.Present present = tracker.update(findings);
        long now = nanoTime.getAsLong();
        Policy p = policy;
        for (Tracker.Seen s : present.stuck()) {
            if (!s.reported) {
                if (s.checks >= s.finding.checksNeeded()) {
                    first(s, p, now);
                }
            } else if (!s.suppressed && p.remindDue(s.lastNanos, now)) {
                remind(s, now);
            }
        }
        for (Finding hazard : present.newHazards()) {
            Report report = build(hazard);
            if (report != null && !suppressed(report, p)) {
                act(p, emit(report, 0, clock.getAsLong(), ""));
            }
        }
    }

    @Override
    public void between(List<Finding> hazards) {
        Policy p = policy;
        for (Finding hazard : tracker.newHazards(hazards)) {
            Report report = build(hazard);
            if (report != null && !suppressed(report, p)) {
                act(p, emit(report, 0, clock.getAsLong(), ""));
            }
        }
    }

    @Override
    public void notice(String line) {
        notice(SafeText.plain(line), false);
    }

    private void first(Tracker.Seen s, Policy p, long now) {
        Report report = build(s.finding);
        if (report == null) {
            return; // its threads moved on while the report was built: not reported, looked at again next check
        }
        s.reported = true;
        s.firstMillis = clock.getAsLong();
        s.lastNanos = now;
        if (suppressed(report, p)) {
            s.suppressed = true;
            return;
        }
        act(p, emit(report, 0, s.firstMillis, ""));
    }

    private void remind(Tracker.Seen s, long now) {
        Report report = build(s.finding);
        if (report == null) {
            return;
        }
        s.reminders++;
        s.lastNanos = now;
        long lastedSeconds = Math.max(0, clock.getAsLong() - s.firstMillis) / 1000;
        emit(report, s.reminders, s.firstMillis, " (reminder " + s.reminders + ": still there " + lastedSeconds
                + " s after it was first reported)");
    }

    private boolean suppressed(Report report, Policy p) {
        if (p.suppress().suppresses(report.sites())) {
            stats.suppressed(report.kind());
            return true;
        }
        return false;
    }

    private Report build(Finding f) {
        try {
            return f.report().get();
        } catch (Throwable t) {
            problem("could not build a " + f.kind().words() + " report", t);
            return null;
        }
    }

    private Event emit(Report report, int reminder, long firstMillis, String headlineNote) {
        Event event = new Event(report, reminder, firstMillis, TextEncoder.encode(report, headlineNote), pid, host);
        if (reminder > 0) {
            stats.reminded(event.text());
        } else {
            stats.reported(event.kind(), event.text());
        }
        for (Output o : outputs) {
            try {
                o.event(event);
            } catch (Throwable t) {
                problem("an output failed to take a " + event.kind().words() + " event", t);
            }
        }
        return event;
    }

    /** The action for a first report: a dump, then a halt; the log says each. */
    private void act(Policy p, Event event) {
        Action action = p.actionFor(event.kind());
        if (action.dump()) {
            try {
                Path file = actions.dump(event, p.dumpDir());
                notice("thread dump for fingerprint " + event.fingerprint() + " written to " + SafeText.plain(file.toString()), false);
            } catch (Throwable t) {
                notice("could not write the thread dump for fingerprint " + event.fingerprint() + ": "
                        + SafeText.plain(String.valueOf(t)), true);
            }
        }
        if (action.exits()) {
            // Runtime.halt, not System.exit: exit runs shutdown hooks, and a hook that needs a lock a stuck thread
            // holds would hang the JVM for good. Nothing more can be logged after this line.
            notice("halting the JVM with exit code " + action.exitCode() + " (" + Policy.optionFor(event.kind())
                    + "=" + action + "; shutdown hooks do not run)", true);
            actions.halt(action.exitCode());
        }
    }

    private void notice(String line, boolean warning) {
        for (Output o : outputs) {
            try {
                o.notice(line, warning);
            } catch (Throwable ignored) {
                // the outputs report their own failures
            }
        }
    }

    @Override
    public void problem(String message, Throwable cause) {
        String line = SafeText.plain(message + ": " + cause);
        if (!line.equals(lastProblem)) { // one line per distinct problem, not one per check
            lastProblem = line;
            notice(line, true);
        }
    }
}
