package dev.lockwatch.agent.ops;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JFR event committed with every report Lockwatch logs, so that a recording shows deadlocks on its timeline.
 * Loaded only through {@link FlightOutput}, and only where the {@code jdk.jfr} module exists. No stack trace: it
 * would be the watchdog's own.
 */
@Name(ReportEvent.NAME)
@Label("Lockwatch Report")
@Category("Lockwatch")
@Description("A deadlock, starvation, hang or lock hazard found by Lockwatch")
@StackTrace(false)
public final class ReportEvent extends Event {
    public static final String NAME = "dev.lockwatch.Report";

    @Label("Kind")
    @Description("DEADLOCK, STARVATION, HANG, LOCK_ORDER or HELD_WHILE_BLOCKING")
    String kind;

    @Label("Fingerprint")
    String fingerprint;

    @Label("Threads")
    @Description("The threads of the report, quoted and separated by commas")
    String threads;

    @Label("Reminder")
    @Description("0 for the first report, n for the n-th reminder that it still lasts")
    int reminder;

    @Label("Report")
    String report;
}
