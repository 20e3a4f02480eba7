package dev.lockwatch.agent.report;

import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.ops.SafeText;
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
            appendThread(sb, t);
        }
        // A multi-line event needs a visible end for people and for line-based log shippers.
        sb.append("\n  end of report [fingerprint ").append(report.fingerprint()).append(']');
        return sb.toString();
    }

    public static String format(StarvationReport report) {
        StringBuilder sb = new StringBuilder();
        sb.append("STARVATION: pool ").append(report.pool()).append(" has all ").append(report.workers())
                .append(report.workers() == 1 ? " worker" : " workers")
                .append(" stuck waiting for tasks queued in the same pool; they can never start [fingerprint ")
                .append(report.fingerprint()).append(']');
        sb.append("\n  queued tasks that cannot start:");
        for (StarvationReport.QueuedTask q : report.queued()) {
            sb.append("\n    ").append(q.task()).append(" (").append(q.name()).append(')');
            if (!q.waitedBy().isEmpty()) {
                sb.append(", waited for by ");
                for (int i = 0; i < q.waitedBy().size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(quote(q.waitedBy().get(i)));
                }
            }
        }
        for (ThreadReport t : report.threads()) {
            appendThread(sb, t);
        }
        sb.append("\n  end of report [fingerprint ").append(report.fingerprint()).append(']');
        return sb.toString();
    }

    public static String format(HeldWhileBlockingReport report) {
        StringBuilder sb = new StringBuilder();
        int n = report.locks().size();
        sb.append("HELD_WHILE_BLOCKING: ").append(quote(report.threadName())).append(" blocks on ")
                .append(report.waitsFor()).append(" at ").append(report.waitSite()).append(" while holding ")
                .append(n).append(n == 1 ? " lock" : " locks")
                .append("; a task that needs it cannot finish [fingerprint ").append(report.fingerprint()).append(']');
        for (HeldWhileBlockingReport.Hold h : report.locks()) {
            sb.append("\n    holds ").append(h.mode()).append(' ').append(h.lock())
                    .append(h.site() == null ? ", " + NOT_RECORDED : ", acquired at " + h.site());
        }
        sb.append("\n    stack:");
        for (StackTraceElement frame : report.stack()) {
            sb.append("\n      at ").append(frame);
        }
        sb.append("\n  end of report [fingerprint ").append(report.fingerprint()).append(']');
        return sb.toString();
    }

    private static void appendThread(StringBuilder sb, ThreadReport t) {
        sb.append("\n\n  ").append(quote(t.name())).append(" (id ").append(t.id()).append(", ")
                .append(t.virtual() ? "virtual, " : "").append(t.state()).append(')');
        Wait w = t.waits();
        sb.append("\n    waits for ");
        switch (w.heldAs()) {
            case TASK:
                sb.append("task ").append(w.lock().key()).append(note(w)).append(", running on ").append(quote(w.holderName()));
                break;
            case POOL:
                sb.append("task ").append(w.lock().key()).append(note(w)).append(", queued in pool ").append(w.holderName());
                break;
            default:
                sb.append(describe(w.lock().key(), w.mode())).append(w.timed() ? " with a timeout" : "")
                        .append(", ").append(w.heldAs() == Mode.QUEUED ? "queued first: " : "held by ")
                        .append(quote(w.holderName()));
        }
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

    private static String note(Wait w) {
        return w.note() == null ? "" : " (" + w.note() + ")";
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
        return SafeText.quote(name);
    }
}
