package dev.lockwatch.agent.ops;

import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.report.DeadlockReport;
import dev.lockwatch.agent.report.DeadlockReport.Held;
import dev.lockwatch.agent.report.DeadlockReport.ThreadReport;
import dev.lockwatch.agent.report.DeadlockReport.Wait;
import dev.lockwatch.agent.report.HeldWhileBlockingReport;
import dev.lockwatch.agent.report.StarvationReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Text that comes from the application (thread names, class, method and file names, which a class generator can
 * fill with any character) must never start a line of the agent's log or forge an event.
 *
 * <p>The text formatter quotes thread names itself; everything else a report holds is escaped here before it is
 * formatted: control characters (newlines, carriage returns, ANSI escapes) and the Unicode line and paragraph
 * separators become a backslash, {@code u} and four hex digits. The JSON form needs none of this (Logback's
 * JsonEncoder escapes every value), so it is given the report as it is and the names round-trip.
 */
public final class SafeText {
    private SafeText() {
    }

    static boolean unsafe(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    /** {@code s} with every character that could start a line or steer a terminal escaped as above. */
    public static String escape(String s) {
        if (s == null) {
            return null;
        }
        int i = 0;
        while (i < s.length() && !unsafe(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (unsafe(c)) {
                appendUnicodeEscape(sb, c);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A thread name as reports show it: quoted, with quotes, backslashes and control characters escaped. */
    public static String quote(String name) {
        if (name == null) {
            return "\"?\"";
        }
        StringBuilder sb = new StringBuilder(name.length() + 2).append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (unsafe(c)) {
                appendUnicodeEscape(sb, c);
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static void appendUnicodeEscape(StringBuilder sb, char c) {
        String hex = Integer.toHexString(c);
        sb.append("\\u");
        for (int pad = hex.length(); pad < 4; pad++) {
            sb.append('0');
        }
        sb.append(hex);
    }

    /**
     * Text for a line that is not an event (a problem of the agent, an exception message): escaped, and any
     * event kind written in capitals is lower-cased, so that only events carry those words.
     */
    public static String plain(String s) {
        String escaped = escape(s);
        if (escaped == null) {
            return "null";
        }
        for (EventKind kind : EventKind.values()) {
            if (escaped.contains(kind.name())) {
                escaped = escaped.replace(kind.name(), kind.name().toLowerCase(Locale.ROOT));
            }
        }
        return escaped;
    }

    /** The frame with every name escaped; the same object when nothing needs it. */
    public static StackTraceElement frame(StackTraceElement f) {
        String cls = escape(f.getClassName());
        String method = escape(f.getMethodName());
        String file = escape(f.getFileName());
        String loader = escape(f.getClassLoaderName());
        String module = escape(f.getModuleName());
        String version = escape(f.getModuleVersion());
        if (cls == f.getClassName() && method == f.getMethodName() && file == f.getFileName()
                && loader == f.getClassLoaderName() && module == f.getModuleName() && version == f.getModuleVersion()) {
            return f;
        }
        return new StackTraceElement(loader, module, version, cls, method, file, f.getLineNumber());
    }

    static List<StackTraceElement> frames(List<StackTraceElement> stack) {
        List<StackTraceElement> out = new ArrayList<>(stack.size());
        for (StackTraceElement f : stack) {
            out.add(frame(f));
        }
        return out;
    }

    static LockRef lock(LockRef lock) {
        String cls = escape(lock.className());
        return cls == lock.className() ? lock : new LockRef(cls, lock.identityHash());
    }

    /** The report for the text form: thread names as they are (the formatter quotes them), the rest escaped. */
    public static DeadlockReport clean(DeadlockReport r) {
        List<ThreadReport> threads = new ArrayList<>();
        for (ThreadReport t : r.threads()) {
            threads.add(thread(t));
        }
        return new DeadlockReport(r.fingerprint(), r.timed(), threads);
    }

    public static StarvationReport clean(StarvationReport r) {
        List<ThreadReport> threads = new ArrayList<>();
        for (ThreadReport t : r.threads()) {
            threads.add(thread(t));
        }
        List<StarvationReport.QueuedTask> queued = new ArrayList<>();
        for (StarvationReport.QueuedTask q : r.queued()) {
            queued.add(new StarvationReport.QueuedTask(escape(q.task()), escape(q.name()), q.waitedBy()));
        }
        return new StarvationReport(r.fingerprint(), escape(r.pool()), r.workers(), threads, queued);
    }

    public static HeldWhileBlockingReport clean(HeldWhileBlockingReport r) {
        List<HeldWhileBlockingReport.Hold> holds = new ArrayList<>();
        for (HeldWhileBlockingReport.Hold h : r.locks()) {
            holds.add(new HeldWhileBlockingReport.Hold(escape(h.lock()), escape(h.mode()), escape(h.site())));
        }
        return new HeldWhileBlockingReport(r.fingerprint(), r.threadName(), r.threadId(), escape(r.waitsFor()),
                escape(r.waitSite()), holds, frames(r.stack()));
    }

    private static ThreadReport thread(ThreadReport t) {
        Wait w = t.waits();
        // A pool is named by class and hash, unquoted; every other holder is a thread, which the formatter quotes.
        String holder = w.heldAs() == Mode.POOL ? escape(w.holderName()) : w.holderName();
        Wait wait = new Wait(lock(w.lock()), w.mode(), w.timed(), w.holderId(), holder, w.heldAs(), w.waitingMillis(),
                escape(w.note()));
        List<Held> holds = new ArrayList<>();
        for (Held h : t.holds()) {
            holds.add(new Held(lock(h.lock()), h.mode(), escape(h.site())));
        }
        return new ThreadReport(t.name(), t.id(), t.state(), t.virtual(), wait, holds, frames(t.stack()));
    }
}
