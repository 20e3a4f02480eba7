package dev.lockwatch.agent.ops;

import dev.lockwatch.agent.ops.Event.Field;
import dev.lockwatch.agent.report.DeadlockReport;
import dev.lockwatch.agent.report.DeadlockReport.Held;
import dev.lockwatch.agent.report.DeadlockReport.ThreadReport;
import dev.lockwatch.agent.report.DeadlockReport.Wait;
import dev.lockwatch.agent.report.HeldWhileBlockingReport;
import dev.lockwatch.agent.report.StarvationReport;

import java.util.ArrayList;
import java.util.List;

/**
 * A report as flat key-value pairs, for {@code format=json} (and for any encoder a {@code logConfig} file names).
 *
 * <p>Logback's JsonEncoder writes the key-value pairs of an event as {@code "kvpList": [{"key":"value"}, ...]}
 * with every value turned into a string: it cannot nest. Nested data is therefore flattened into dotted keys with
 * 0-based indexes ({@code thread.0.holds.1.site}, {@code thread.0.stack.3}), each value escaped by the encoder
 * itself; no JSON is ever written by hand. The README lists every key.
 */
public final class ReportFields {
    private ReportFields() {
    }

    /** The pairs every event starts with; {@code kind} first, so a line can be matched by it. */
    static List<Field> common(EventKind kind, String fingerprint, long pid, String host, int reminder, long firstReportedMillis) {
        List<Field> f = new ArrayList<>();
        add(f, "kind", kind.name());
        add(f, "fingerprint", fingerprint);
        add(f, "pid", String.valueOf(pid));
        add(f, "host", host);
        add(f, "reminder", String.valueOf(reminder));
        if (reminder > 0) {
            add(f, "firstReported", String.valueOf(firstReportedMillis));
        }
        return f;
    }

    static void deadlock(List<Field> f, DeadlockReport r) {
        add(f, "timed", String.valueOf(r.timed()));
        threads(f, r.threads());
    }

    static void starvation(List<Field> f, StarvationReport r) {
        add(f, "pool", r.pool());
        add(f, "workers", String.valueOf(r.workers()));
        for (int i = 0; i < r.queued().size(); i++) {
            StarvationReport.QueuedTask q = r.queued().get(i);
            String p = "queued." + i + ".";
            add(f, p + "task", q.task());
            add(f, p + "name", q.name());
            for (int j = 0; j < q.waitedBy().size(); j++) {
                add(f, p + "waitedBy." + j, q.waitedBy().get(j));
            }
        }
        threads(f, r.threads());
    }

    static void heldWhileBlocking(List<Field> f, HeldWhileBlockingReport r) {
        add(f, "waitsFor", r.waitsFor());
        add(f, "waitSite", r.waitSite());
        add(f, "threadCount", "1");
        add(f, "thread.0.name", r.threadName());
        add(f, "thread.0.id", String.valueOf(r.threadId()));
        for (int j = 0; j < r.locks().size(); j++) {
            HeldWhileBlockingReport.Hold h = r.locks().get(j);
            String p = "thread.0.holds." + j + ".";
            add(f, p + "lock", h.lock());
            add(f, p + "mode", h.mode());
            add(f, p + "site", h.site());
        }
        stack(f, "thread.0.", r.stack());
    }

    private static void threads(List<Field> f, List<ThreadReport> threads) {
        add(f, "threadCount", String.valueOf(threads.size()));
        for (int i = 0; i < threads.size(); i++) {
            ThreadReport t = threads.get(i);
            String p = "thread." + i + ".";
            add(f, p + "name", t.name());
            add(f, p + "id", String.valueOf(t.id()));
            add(f, p + "state", t.state());
            add(f, p + "virtual", String.valueOf(t.virtual()));
            Wait w = t.waits();
            add(f, p + "waits.lock", w.lock().key());
            add(f, p + "waits.mode", w.mode().name());
            add(f, p + "waits.timed", String.valueOf(w.timed()));
            add(f, p + "waits.holder", w.holderName());
            add(f, p + "waits.holderId", String.valueOf(w.holderId()));
            add(f, p + "waits.heldAs", w.heldAs().name());
            if (w.waitingMillis() >= 0) {
                add(f, p + "waits.ms", String.valueOf(w.waitingMillis()));
            }
            add(f, p + "waits.note", w.note());
            for (int j = 0; j < t.holds().size(); j++) {
                Held h = t.holds().get(j);
                String hp = p + "holds." + j + ".";
                add(f, hp + "lock", h.lock().key());
                add(f, hp + "mode", h.mode().name());
                add(f, hp + "site", h.site());
            }
            stack(f, p, t.stack());
        }
    }

    private static void stack(List<Field> f, String prefix, List<StackTraceElement> stack) {
        for (int k = 0; k < stack.size(); k++) {
            add(f, prefix + "stack." + k, stack.get(k).toString());
        }
    }

    /** Absent values (a site not recorded, no note) are left out rather than written as "null". */
    private static void add(List<Field> f, String key, String value) {
        if (value != null) {
            f.add(new Field(key, value));
        }
    }
}
