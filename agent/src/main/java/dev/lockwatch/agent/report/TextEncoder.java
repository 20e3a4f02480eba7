package dev.lockwatch.agent.report;

import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.report.ThreadReport.Held;
import dev.lockwatch.agent.report.ThreadReport.Wait;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The text form of a report, for people. The first line carries the event kind and the fingerprint; every further
 * line starts with two spaces (or is empty), and the last is {@code end of report [fingerprint ...]}, so that a
 * multi-line event has a visible end for people and for line-based log shippers.
 *
 * <p>Everything a report holds that comes from the application (thread names, class, method and file names, which a
 * class generator can fill with any character) is escaped here, as it is written ({@link SafeText}): thread names
 * are quoted, the rest has its control characters and line separators escaped, so no name can start a line or
 * forge an event.
 */
public final class TextEncoder {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private TextEncoder() {
    }

    /** The whole report; {@code headlineNote} (a reminder's, or empty) goes at the end of the first line. */
    public static String encode(Report report, String headlineNote) {
        StringBuilder sb = new StringBuilder(1024);
        if (report instanceof DeadlockReport r) {
            deadlock(sb, r, headlineNote);
        } else if (report instanceof StarvationReport r) {
            starvation(sb, r, headlineNote);
        } else if (report instanceof HeldWhileBlockingReport r) {
            heldWhileBlocking(sb, r, headlineNote);
        } else if (report instanceof LockOrderReport r) {
            lockOrder(sb, r, headlineNote);
        } else if (report instanceof HangReport r) {
            hang(sb, r, headlineNote);
        }
        sb.append("\n  end of report [fingerprint ").append(report.fingerprint()).append(']');
        return sb.toString();
    }

    public static String encode(Report report) {
        return encode(report, "");
    }

    private static void fingerprint(StringBuilder sb, Report r, String note) {
        sb.append(" [fingerprint ").append(r.fingerprint()).append(']').append(note);
    }

    private static void deadlock(StringBuilder sb, DeadlockReport report, String note) {
        int n = report.threads().size();
        boolean classInit = false;
        for (ThreadReport t : report.threads()) {
            classInit |= t.waits().heldAs() == Mode.CLASS_INIT;
        }
        sb.append("DEADLOCK: ").append(n).append(n == 1 ? " thread waits for itself" : " threads wait for each other")
                .append(" forever").append(report.timed() ? " (a wait in the cycle has a timeout; the same waits lasted two checks)" : "")
                .append(classInit ? " (class-initialization deadlock: a thread needs a class whose static initializer another"
                        + " thread of the cycle runs; the JVM shows them RUNNABLE, holding no lock)" : "");
        fingerprint(sb, report, note);
        sb.append("\n  cycle: ");
        for (ThreadReport t : report.threads()) {
            Wait w = t.waits();
            sb.append(quote(t.name())).append(" -> ").append(w.heldAs() == Mode.CLASS_INIT
                    ? "initialization of class " + esc(w.lock().className()) : esc(w.lock().key())).append(" -> ");
        }
        sb.append(quote(report.threads().get(0).name()));
        for (ThreadReport t : report.threads()) {
            thread(sb, t, "  ");
        }
    }

    private static void starvation(StringBuilder sb, StarvationReport report, String note) {
        sb.append("STARVATION: pool ").append(esc(report.pool())).append(" has all ").append(report.workers())
                .append(report.workers() == 1 ? " worker" : " workers")
                .append(" stuck waiting for tasks queued in the same pool, and cannot add one; they can never start");
        fingerprint(sb, report, note);
        sb.append("\n  queued tasks that cannot start:");
        for (StarvationReport.QueuedTask q : report.queued()) {
            sb.append("\n    ").append(esc(q.task())).append(" (").append(esc(q.name())).append(')');
            if (!q.waitedBy().isEmpty()) {
                sb.append(", waited for by ");
                for (int i = 0; i < q.waitedBy().size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(quote(q.waitedBy().get(i)));
                }
            }
        }
        for (ThreadReport t : report.threads()) {
            thread(sb, t, "  ");
        }
    }

    private static void heldWhileBlocking(StringBuilder sb, HeldWhileBlockingReport report, String note) {
        int n = report.holds().size();
        sb.append("HELD_WHILE_BLOCKING: ").append(quote(report.threadName())).append(" blocks on ")
                .append(esc(report.waitsFor())).append(" at ").append(esc(report.waitSite())).append(" while holding ")
                .append(n).append(n == 1 ? " lock" : " locks").append("; a task that needs it cannot finish");
        fingerprint(sb, report, note);
        for (Held h : report.holds()) {
            sb.append("\n    holds ");
            hold(sb, h);
        }
        stack(sb, report.stack(), "    ");
    }

    private static void lockOrder(StringBuilder sb, LockOrderReport report, String note) {
        int n = report.orders().size();
        sb.append("LOCK_ORDER: ").append(n).append(" locks taken in orders that close a cycle");
        long earlier = report.orders().stream().filter(o -> o.earlierRun() != null).count();
        if (earlier > 0) {
            sb.append(earlier == 1 ? " (one order from an earlier run)" : " (" + earlier + " orders from earlier runs)");
        }
        sb.append("; threads taking them at the same time deadlock")
                .append(report.timed() ? " (with a tryLock timeout, until it fails)" : "");
        fingerprint(sb, report, note);
        sb.append("\n  cycle: ");
        for (LockOrderReport.Order o : report.orders()) {
            sb.append(esc(o.held())).append(" -> ");
        }
        sb.append(esc(report.orders().get(0).held()));
        for (int i = 0; i < n; i++) {
            LockOrderReport.Order o = report.orders().get(i);
            sb.append("\n\n  order ").append(i + 1).append(": holds ").append(esc(o.held()))
                    .append(o.heldSite() == null ? " (site not recorded)" : ", acquired at " + esc(o.heldSite()))
                    .append("\n    then takes ").append(esc(o.taken())).append(", at ").append(esc(o.takenSite()))
                    .append(o.timed() ? " (tryLock with a timeout)" : "");
            if (o.earlierRun() != null) {
                sb.append("\n    taken in an earlier run: ").append(esc(o.earlierRun()));
                if (o.thread() != null) {
                    sb.append(", by ").append(quote(o.thread()));
                }
                sb.append("\n    stack: not kept in the lock-order file");
            } else {
                sb.append("\n    first taken by ").append(quote(o.thread())).append(" at ")
                        .append(TIME.format(Instant.ofEpochMilli(o.firstMillis())));
                stack(sb, o.stack(), "    ");
            }
        }
    }

    private static void hang(StringBuilder sb, HangReport report, String note) {
        HangReport.Stuck first = report.roots().get(0);
        sb.append("HANG: ").append(quote(first.thread().name())).append(" has made no progress for ")
                .append(first.stuckMillis() / 1000).append(" s waiting for ").append(esc(first.waitKind()))
                .append(' ').append(esc(first.waitsFor()));
        if (report.roots().size() > 1) {
            sb.append(", with ").append(report.roots().size() - 1).append(" more");
        }
        if (!report.behind().isEmpty()) {
            sb.append("; ").append(report.behind().size()).append(report.behind().size() == 1 ? " thread is" : " threads are")
                    .append(" stuck behind it");
        }
        fingerprint(sb, report, note);
        for (HangReport.Stuck s : report.roots()) {
            sb.append("\n\n  ").append(quote(s.thread().name())).append(" (id ").append(s.thread().id()).append(", ")
                    .append(s.thread().virtual() ? "virtual, " : "").append(s.thread().state()).append(')');
            sb.append("\n    waits for ").append(esc(s.waitKind())).append(' ').append(esc(s.waitsFor()));
            if (s.since() > 0) {
                sb.append(" since ").append(TIME.format(Instant.ofEpochMilli(s.since())));
            }
            sb.append(", no progress for ").append(s.stuckMillis()).append(" ms");
            sb.append("\n    why it is stuck: ").append(esc(s.why()));
            if (s.wakers().isEmpty()) {
                sb.append("\n    who should wake it: ").append(esc(s.unknown() == null ? "not known" : s.unknown()));
            }
            for (HangReport.Waker w : s.wakers()) {
                sb.append("\n    who should wake it: ").append(quote(w.name())).append(" (id ").append(w.id()).append("), ")
                        .append(esc(w.role())).append("; ").append(w.alive() ? "alive, " : "").append(esc(w.now()));
            }
            holds(sb, s.thread());
            stack(sb, s.thread().stack(), "    ");
        }
        if (!report.behind().isEmpty()) {
            sb.append("\n\n  stuck behind it:");
            for (ThreadReport t : report.behind()) {
                thread(sb, t, "  ");
            }
        }
    }

    private static void thread(StringBuilder sb, ThreadReport t, String indent) {
        sb.append("\n\n").append(indent).append(quote(t.name())).append(" (id ").append(t.id()).append(", ")
                .append(t.virtual() ? "virtual, " : "").append(t.state()).append(')');
        Wait w = t.waits();
        if (w != null) {
            sb.append("\n    waits for ");
            switch (w.heldAs()) {
                case TASK:
                    sb.append("task ").append(esc(w.lock().key())).append(note(w)).append(", running on ").append(quote(w.holderName()));
                    break;
                case POOL:
                    sb.append("task ").append(esc(w.lock().key())).append(note(w)).append(", queued in pool ").append(esc(w.holderName()));
                    break;
                case CLASS_INIT:
                    sb.append("the initialization of class ").append(esc(w.lock().className()))
                            .append(", whose static initializer (<clinit>) runs on ").append(quote(w.holderName()));
                    break;
                case PERMIT:
                    sb.append(describe(w.lock().key(), w.mode())).append(", no permit left; taken and not released by ")
                            .append(quote(w.holderName())).append(w.note() == null ? "" : "; " + esc(w.note()));
                    break;
                default:
                    sb.append(describe(w.lock().key(), w.mode())).append(w.timed() ? " with a timeout" : "")
                            .append(", ").append(w.heldAs() == Mode.QUEUED ? "queued first: " : "held by ")
                            .append(quote(w.holderName()));
            }
            if (w.waitingMillis() >= 0) {
                sb.append(", for ").append(w.waitingMillis()).append(" ms");
            }
        }
        holds(sb, t);
        stack(sb, t.stack(), "    ");
    }

    private static void holds(StringBuilder sb, ThreadReport t) {
        if (t.holds().isEmpty()) {
            sb.append("\n    holds no lock the agent can see");
        }
        for (Held h : t.holds()) {
            sb.append("\n    holds ");
            hold(sb, h);
        }
    }

    private static void hold(StringBuilder sb, Held h) {
        sb.append(describe(h.lock().key(), h.mode()));
        if (h.mode() == Mode.PERMIT) {
            sb.append(" (").append(Held.PERMIT).append(')');
            return;
        }
        if (h.site() != null) {
            sb.append(", acquired at ").append(esc(h.site()));
        } else {
            sb.append(", site not recorded (").append(h.unrecorded() == null ? Held.JDK_CODE : h.unrecorded()).append(')');
        }
    }

    private static void stack(StringBuilder sb, java.util.List<StackTraceElement> stack, String indent) {
        sb.append('\n').append(indent).append("stack:");
        if (stack.isEmpty()) {
            sb.append('\n').append(indent).append("  (not available)");
        }
        for (StackTraceElement frame : stack) {
            sb.append('\n').append(indent).append("  at ").append(esc(frame.toString()));
        }
    }

    private static String note(Wait w) {
        return w.note() == null ? "" : " (" + esc(w.note()) + ")";
    }

    /** A lock as reports name it: {@code monitor X@1b6d3586}, {@code read lock ...}, {@code write lock ...}, {@code lock ...}. */
    public static String describe(String lockKey, Mode mode) {
        String lock = esc(lockKey);
        switch (mode) {
            case MONITOR:
                return "monitor " + lock;
            case READ:
                return "read lock " + lock;
            case PERMIT:
                return "a permit of semaphore " + lock;
            case QUEUED:
            case EXCLUSIVE:
            default:
                return (lockKey.contains("ReentrantReadWriteLock") ? "write lock " : "lock ") + lock;
        }
    }

    /** Thread names are quoted, with quotes, backslashes and control characters escaped. */
    static String quote(String name) {
        return SafeText.quote(name);
    }

    private static String esc(String s) {
        return SafeText.escape(s);
    }
}
