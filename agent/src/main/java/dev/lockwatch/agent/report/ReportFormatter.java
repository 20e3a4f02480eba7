package dev.lockwatch.agent.report;

import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.report.DeadlockReport.Held;
import dev.lockwatch.agent.report.DeadlockReport.ThreadReport;
import dev.lockwatch.agent.report.DeadlockReport.Wait;

/**
 * The text form of a report, for people. The first line carries the event kind and the fingerprint; then the
 * cycle on one line; then one block per thread: what it waits for and who holds it, what it holds and where it
 * took it, and its stack.
 */
public final class ReportFormatter {
    private static final String NOT_RECORDED = "site not recorded (taken inside JDK code or before Lockwatch started)";

    private ReportFormatter() {
    }

    public static String format(DeadlockReport report) {
        StringBuilder sb = new StringBuilder();
        int n = report.threads().size();
        sb.append("DEADLOCK: ").append(n).append(n == 1 ? " thread waits for itself" : " threads wait for each other")
                .append(" forever").append(report.timed() ? " (a wait in the cycle has a timeout, it lasted two checks)" : "")
                .append(" [fingerprint ").append(report.fingerprint()).append(']');
        sb.append("\n  cycle: ");
        for (ThreadReport t : report.threads()) {
            sb.append(quote(t.name())).append(" -> ").append(t.waits().lock().key()).append(" -> ");
        }
        sb.append(quote(report.threads().get(0).name()));
        for (ThreadReport t : report.threads()) {
            sb.append("\n\n  ").append(quote(t.name())).append(" (id ").append(t.id()).append(", ")
                    .append(t.virtual() ? "virtual, " : "").append(t.state()).append(')');
            Wait w = t.waits();
            sb.append("\n    waits for ").append(describe(w.lock().key(), w.mode()))
                    .append(w.timed() ? " with a timeout" : "")
                    .append(", ").append(w.heldAs() == Mode.QUEUED ? "queued first: " : "held by ")
                    .append(quote(w.holderName()));
            if (w.waitingMillis() >= 0) {
                sb.append(", for ").append(w.waitingMillis()).append(" ms");
            }
            if (t.holds().isEmpty()) {
                sb.append("\n    holds no lock the agent can see");
            }
            for (Held h : t.holds()) {
                sb.append("\n    holds ").append(describe(h.lock().key(), h.mode()))
                        .append(h.site() == null ? ", " + NOT_RECORDED : ", acquired at " + h.site());
            }
            sb.append("\n    stack:");
            if (t.stack().isEmpty()) {
                sb.append("\n      (not available)");
            }
            for (StackTraceElement frame : t.stack()) {
                sb.append("\n      at ").append(frame);
            }
        }
        // A multi-line event needs a visible end for people and for line-based log shippers.
        sb.append("\n  end of report [fingerprint ").append(report.fingerprint()).append(']');
        return sb.toString();
    }

    static String describe(String lockKey, Mode mode) {
        switch (mode) {
            case MONITOR:
                return "monitor " + lockKey;
            case READ:
                return "read lock " + lockKey;
            case QUEUED:
            case EXCLUSIVE:
            default:
                return (lockKey.contains("ReentrantReadWriteLock") ? "write lock " : "lock ") + lockKey;
        }
    }

    /** Thread names are quoted, with quotes, backslashes and control characters escaped. */
    static String quote(String name) {
        if (name == null) {
            return "\"?\"";
        }
        StringBuilder sb = new StringBuilder(name.length() + 2).append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') { // nothing may start a line
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
