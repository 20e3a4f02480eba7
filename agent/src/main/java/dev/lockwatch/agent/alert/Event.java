package dev.lockwatch.agent.alert;

import dev.lockwatch.agent.report.EventKind;
import dev.lockwatch.agent.report.Field;
import dev.lockwatch.agent.report.FieldEncoder;
import dev.lockwatch.agent.report.Report;

import java.util.List;

/**
 * One report going out: the report, whether it is a reminder, and its text (encoded once, shared by every output).
 *
 * @param reminder            0 for the first report, n for the n-th reminder
 * @param firstReportedMillis when the finding was first reported (epoch milliseconds)
 * @param text                the whole text form; its first line is the headline
 */
public record Event(Report report, int reminder, long firstReportedMillis, String text, long pid, String host) {
    public EventKind kind() {
        return report.kind();
    }

    public String fingerprint() {
        return report.fingerprint();
    }

    /** The first line of the text: kind, summary and fingerprint. */
    public String headline() {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    /** The same content as key-value pairs, {@code kind} first. */
    public List<Field> fields() {
        return FieldEncoder.encode(report, new FieldEncoder.Context(pid, host, reminder, firstReportedMillis));
    }
}
