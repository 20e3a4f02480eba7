package dev.lockwatch.agent.ops;

import java.util.List;

/**
 * One report, ready to log: the text form for people (already escaped, see {@link SafeText}) and the same
 * content as key-value pairs for machines (see {@link ReportFields}; raw, escaped by the JSON encoder).
 *
 * @param text   the whole text report; its first line is the headline
 * @param fields the key-value pairs, {@code kind} first
 */
public record Event(EventKind kind, String fingerprint, String text, List<Field> fields) {
    public Event {
        fields = List.copyOf(fields);
    }

    /** One key-value pair; every value is a string (Logback's JsonEncoder writes every value as a string). */
    public record Field(String key, String value) {
    }

    /** The first line of the text report: kind, summary and fingerprint. */
    public String headline() {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
