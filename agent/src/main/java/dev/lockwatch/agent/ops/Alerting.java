package dev.lockwatch.agent.ops;

import dev.lockwatch.agent.ops.Event.Field;
import dev.lockwatch.agent.report.DeadlockReport;
import dev.lockwatch.agent.report.EventSink;
import dev.lockwatch.agent.report.HeldWhileBlockingReport;
import dev.lockwatch.agent.report.ReportFormatter;
import dev.lockwatch.agent.report.StarvationReport;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Decides what each finding of the watchdog becomes: suppressed and counted, or logged (text and key-value pairs),
 * committed as a JFR event, counted, and, for threads stuck for good, acted upon ({@code onDeadlock}). Also
 * answers the watchdog whether a finding still present is due for a reminder ({@code remind}).
 *
 * <p>Threading: every method except {@link #policy(Policy)} runs on the watchdog thread, so the map of reported
 * fingerprints is plain. The policy may be replaced by a later attach; it is one immutable object behind a
 * volatile field.
 */
public final class Alerting implements EventSink {
    /** Writes a full thread dump for an event; returns the file. */
    public interface Dumps {
        Path write(Path configuredDir, Event event) throws IOException;
    }

    /**
     * The options that shape alerting; all of them can change at run time (a second attach).
     *
     * @param remind  how long a deadlock or starvation may last before it is reported again, or null for never
     * @param dumpDir where dumps go, or null for the default (see {@link ThreadDump#directory})
     */
    public record Policy(Duration remind, Suppression suppress, OnDeadlock onDeadlock, Path dumpDir) {
        public static final Policy DEFAULT = new Policy(null, Suppression.NONE, OnDeadlock.LOG, null);
    }

    /** A fingerprint reported and still present. */
    private static final class Reported {
        final boolean suppressed;
        final long firstMillis;
        long lastNanos;
        int reminders;

        Reported(boolean suppressed, long firstMillis, long lastNanos) {
            this.suppressed = suppressed;
            this.firstMillis = firstMillis;
            this.lastNanos = lastNanos;
        }
    }

    private final EventLog log;
    private final Stats stats;
    private final FlightEvents flight;
    private final Dumps dumps;
    private final IntConsumer halt;
    private final long pid;
    private final String host;
    private final LongSupplier nanoTime;
    private volatile Policy policy;
    private final Map<String, Reported> reported = new HashMap<>();

    public Alerting(EventLog log, Stats stats, FlightEvents flight, Dumps dumps, IntConsumer halt, long pid, Policy policy) {
        this(log, stats, flight, dumps, halt, pid, Host.name(), System::nanoTime, policy);
    }

    Alerting(EventLog log, Stats stats, FlightEvents flight, Dumps dumps, IntConsumer halt, long pid, String host,
             LongSupplier nanoTime, Policy policy) {
        this.log = log;
        this.stats = stats;
        this.flight = flight;
        this.dumps = dumps;
        this.halt = halt;
        this.pid = pid;
        this.host = host;
        this.nanoTime = nanoTime;
        this.policy = policy;
    }

    public Policy policy() {
        return policy;
    }

    public void policy(Policy policy) {
        this.policy = policy;
    }

    @Override
    public void deadlock(DeadlockReport report) {
        int reminder = admit(EventKind.DEADLOCK, report.fingerprint(), Suppression.sitesOf(report));
        if (reminder >= 0) {
            List<Field> fields = common(EventKind.DEADLOCK, report.fingerprint(), reminder);
            ReportFields.deadlock(fields, report);
            emit(EventKind.DEADLOCK, report.fingerprint(), reminder, ReportFormatter.format(SafeText.clean(report)),
                    fields, names(report.threads()));
        }
    }

    @Override
    public void starvation(StarvationReport report) {
        int reminder = admit(EventKind.STARVATION, report.fingerprint(), Suppression.sitesOf(report));
        if (reminder >= 0) {
            List<Field> fields = common(EventKind.STARVATION, report.fingerprint(), reminder);
            ReportFields.starvation(fields, report);
            emit(EventKind.STARVATION, report.fingerprint(), reminder, ReportFormatter.format(SafeText.clean(report)),
                    fields, names(report.threads()));
        }
    }

    @Override
    public void heldWhileBlocking(HeldWhileBlockingReport report) {
        int reminder = admit(EventKind.HELD_WHILE_BLOCKING, report.fingerprint(), Suppression.sitesOf(report));
        if (reminder >= 0) {
            List<Field> fields = common(EventKind.HELD_WHILE_BLOCKING, report.fingerprint(), reminder);
            ReportFields.heldWhileBlocking(fields, report);
            emit(EventKind.HELD_WHILE_BLOCKING, report.fingerprint(), reminder,
                    ReportFormatter.format(SafeText.clean(report)), fields, List.of(report.threadName()));
        }
    }

    @Override
    public void agentProblem(String message, Throwable cause) {
        log.warn(SafeText.plain(message + ": " + cause));
    }

    private static List<String> names(List<DeadlockReport.ThreadReport> threads) {
        List<String> names = new ArrayList<>(threads.size());
        for (DeadlockReport.ThreadReport t : threads) {
            names.add(t.name());
        }
        return names;
    }

    /**
     * Whether to log a finding: -1 when it is suppressed (counted here) or a reminder of a suppressed one; 0 for a
     * first report; n for the n-th reminder (the watchdog reports a finding again only after {@link #remindNow}).
     */
    private int admit(EventKind kind, String fingerprint, List<String> sites) {
        long now = nanoTime.getAsLong();
        Reported before = kind.stuck() ? reported.get(fingerprint) : null;
        if (before != null) {
            if (before.suppressed) {
                return -1;
            }
            before.lastNanos = now;
            return ++before.reminders;
        }
        boolean suppressed = policy.suppress().suppresses(sites);
        if (kind.stuck()) {
            reported.put(fingerprint, new Reported(suppressed, System.currentTimeMillis(), now));
        }
        if (suppressed) {
            stats.suppressed(kind);
            return -1;
        }
        return 0;
    }

    private List<Field> common(EventKind kind, String fingerprint, int reminder) {
        Reported r = reminder > 0 ? reported.get(fingerprint) : null;
        return ReportFields.common(kind, fingerprint, pid, host, reminder, r == null ? 0 : r.firstMillis);
    }

    private void emit(EventKind kind, String fingerprint, int reminder, String text, List<Field> fields, List<String> threadNames) {
        if (reminder > 0) {
            text = withReminderNote(text, reminder, reported.get(fingerprint).firstMillis);
        }
        Event event = new Event(kind, fingerprint, text, fields);
        log.event(event);
        if (reminder > 0) {
            stats.reminded(text);
        } else {
            stats.reported(kind, text);
        }
        flight.commit(event, threadNames, reminder);
        if (reminder == 0 && kind.stuck()) {
            act(policy, event);
        }
    }

    /** The headline of a reminder says so, and for how long the finding has lasted. */
    private static String withReminderNote(String text, int reminder, long firstMillis) {
        long lastedSeconds = Math.max(0, System.currentTimeMillis() - firstMillis) / 1000;
        String note = " (reminder " + reminder + ": still there " + lastedSeconds + " s after it was first reported)";
        int nl = text.indexOf('\n');
        return nl < 0 ? text + note : text.substring(0, nl) + note + text.substring(nl);
    }

    private void act(Policy p, Event event) {
        OnDeadlock action = p.onDeadlock();
        if (action.dump()) {
            try {
                Path file = dumps.write(p.dumpDir(), event);
                log.info("thread dump for fingerprint " + event.fingerprint() + " written to " + SafeText.plain(file.toString()));
            } catch (Throwable t) {
                log.warn("could not write the thread dump for fingerprint " + event.fingerprint() + ": "
                        + SafeText.plain(String.valueOf(t)));
            }
        }
        if (action.exits()) {
            // Runtime.halt, not System.exit: exit runs shutdown hooks, and a hook that needs a lock a stuck thread
            // holds would hang the JVM for good. Nothing more can be logged after this line.
            log.warn("halting the JVM with exit code " + action.exitCode() + " (onDeadlock=" + action
                    + "; shutdown hooks do not run)");
            log.close();
            halt.accept(action.exitCode());
        }
    }

    /**
     * A deadlock or starvation reported earlier is still there: due for a reminder when {@code remind} is set and
     * it was last logged at least that long ago. Suppressed findings are never reminded of.
     */
    public boolean remindNow(String fingerprint) {
        Duration remind = policy.remind();
        Reported r = reported.get(fingerprint);
        return remind != null && r != null && !r.suppressed && nanoTime.getAsLong() - r.lastNanos >= remind.toNanos();
    }

    /** After a check: findings no longer present are forgotten, so that if they form again they are new. */
    public void stillPresent(Set<String> fingerprints) {
        reported.keySet().retainAll(fingerprints);
    }
}
