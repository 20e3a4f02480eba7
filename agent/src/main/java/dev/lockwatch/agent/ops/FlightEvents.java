package dev.lockwatch.agent.ops;

import java.util.List;

/**
 * Commits a {@link ReportEvent} per report. Costs almost nothing when no recording runs ({@code shouldCommit}).
 * Where the runtime has no {@code jdk.jfr} module, or the event class cannot be used, it says so once and stays
 * off.
 */
public final class FlightEvents {
    private final EventLog log;
    private boolean off;

    public FlightEvents(EventLog log) {
        this.log = log;
        this.off = !ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    }

    /** Watchdog thread only. */
    void commit(Event event, List<String> threadNames, int reminder) {
        if (off) {
            return;
        }
        try {
            commitNow(event, threadNames, reminder);
        } catch (Throwable t) { // LinkageError included: the agent never fails its host over a recording
            off = true;
            log.warn("JFR events are off: " + SafeText.plain(String.valueOf(t)));
        }
    }

    private static void commitNow(Event event, List<String> threadNames, int reminder) {
        ReportEvent e = new ReportEvent();
        if (!e.shouldCommit()) {
            return;
        }
        StringBuilder names = new StringBuilder();
        for (String name : threadNames) {
            names.append(names.length() == 0 ? "" : ", ").append(SafeText.quote(name));
        }
        e.kind = event.kind().name();
        e.fingerprint = event.fingerprint();
        e.threads = names.toString();
        e.reminder = reminder;
        e.report = event.text();
        e.commit();
    }
}
