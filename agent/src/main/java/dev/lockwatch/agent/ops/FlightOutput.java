package dev.lockwatch.agent.ops;

import dev.lockwatch.agent.alert.Event;
import dev.lockwatch.agent.alert.Output;
import dev.lockwatch.agent.report.SafeText;

/**
 * Commits a {@link ReportEvent} per report. Costs almost nothing when no recording runs ({@code shouldCommit}); the
 * JFR classes are loaded at the first event, never at start-up. Where the runtime has no {@code jdk.jfr} module, or
 * the event class cannot be used, it says so once and stays off.
 */
public final class FlightOutput implements Output {
    private final LogOutput log;
    private boolean off;

    public FlightOutput(LogOutput log) {
        this.log = log;
        this.off = !ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    }

    @Override
    public void event(Event event) {
        if (off) {
            return;
        }
        try {
            commit(event);
        } catch (Throwable t) { // LinkageError included: the agent never fails its host over a recording
            off = true;
            log.notice("JFR events are off: " + SafeText.plain(String.valueOf(t)), true);
        }
    }

    private static void commit(Event event) {
        ReportEvent e = new ReportEvent();
        if (!e.shouldCommit()) {
            return;
        }
        StringBuilder names = new StringBuilder();
        for (String name : event.report().threadNames()) {
            names.append(names.length() == 0 ? "" : ", ").append(SafeText.quote(name));
        }
        e.kind = event.kind().name();
        e.fingerprint = event.fingerprint();
        e.threads = names.toString();
        e.reminder = event.reminder();
        e.report = event.text();
        e.commit();
    }
}
