package dev.lockwatch.agent.report;

import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.report.ThreadReport.Held;
import dev.lockwatch.agent.report.ThreadReport.Wait;

import java.util.ArrayList;
import java.util.List;

/**
 * A report as flat key-value pairs, for {@code format=json} (and for any encoder a {@code logConfig} file names).
 *
 * <p>Logback's JsonEncoder writes the key-value pairs of an event as {@code "kvpList": [{"key":"value"}, ...]} with
 * every value turned into a string: it cannot nest. Nested data is therefore flattened into dotted keys with 0-based
 * indexes ({@code thread.0.holds.1.site}, {@code edge.1.stack.3}), each value raw, escaped by the encoder itself; no
 * JSON is ever written by hand. Values that are unknown are left out rather than written as {@code null}. The
 * README lists every key.
 */
public final class FieldEncoder {
    private FieldEncoder() {
    }

    /** Facts of the event that are not in the report: where and when it was logged. */
    public record Context(long pid, String host, int reminder, long firstReportedMillis) {
    }

    /** The pairs of one event, {@code kind} first, so that a line can be matched by it. */
    public static List<Field> encode(Report report, Context c) {
        List<Field> f = new ArrayList<>();
        add(f, "kind", report.kind().name());
        add(f, "fingerprint", report.fingerprint());
        add(f, "pid", String.valueOf(c.pid()));
        add(f, "host", c.host());
        add(f, "reminder", String.valueOf(c.reminder()));
        if (c.reminder() > 0) {
            add(f, "firstReported", String.valueOf(c.firstReportedMillis()));
        }
        if (report instanceof DeadlockReport r) {
            add(f, "timed", String.valueOf(r.timed()));
            threads(f, "thread.", r.threads());
        } else if (report instanceof StarvationReport r) {
            starvation(f, r);
        } else if (report instanceof HeldWhileBlockingReport r) {
            heldWhileBlocking(f, r);
        } else if (report instanceof LockOrderReport r) {
            lockOrder(f, r);
        } else if (report instanceof HangReport r) {
            hang(f, r);
        }
        return f;
    }

    private static void starvation(List<Field> f, StarvationReport r) {
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
        threads(f, "thread.", r.threads());
    }

    private static void heldWhileBlocking(List<Field> f, HeldWhileBlockingReport r) {
        add(f, "waitsFor", r.waitsFor());
        add(f, "waitSite", r.waitSite());
        add(f, "threadCount", "1");
        add(f, "thread.0.name", r.threadName());
        add(f, "thread.0.id", String.valueOf(r.threadId()));
        holds(f, "thread.0.", r.holds());
        stack(f, "thread.0.", r.stack());
    }

    private static void lockOrder(List<Field> f, LockOrderReport r) {
        add(f, "timed", String.valueOf(r.timed()));
        add(f, "acrossRuns", String.valueOf(r.acrossRuns()));
        List<String> names = r.threadNames();
        add(f, "threadCount", String.valueOf(names.size()));
        for (int i = 0; i < names.size(); i++) {
            add(f, "thread." + i + ".name", names.get(i));
        }
        add(f, "edgeCount", String.valueOf(r.orders().size()));
        for (int i = 0; i < r.orders().size(); i++) {
            LockOrderReport.Order o = r.orders().get(i);
            String p = "edge." + i + ".";
            add(f, p + "from.lock", o.held());
            add(f, p + "from.site", o.heldSite());
            add(f, p + "to.lock", o.taken());
            add(f, p + "to.site", o.takenSite());
            add(f, p + "timed", String.valueOf(o.timed()));
            add(f, p + "thread", o.thread());
            if (o.earlierRun() == null) {
                add(f, p + "firstMillis", String.valueOf(o.firstMillis()));
            }
            add(f, p + "earlierRun", o.earlierRun());
            stack(f, p, o.stack());
        }
    }

    private static void hang(List<Field> f, HangReport r) {
        List<ThreadReport> threads = new ArrayList<>();
        for (HangReport.Stuck s : r.roots()) {
            threads.add(s.thread());
        }
        threads.addAll(r.behind());
        add(f, "rootCount", String.valueOf(r.roots().size()));
        for (int i = 0; i < r.roots().size(); i++) {
            HangReport.Stuck s = r.roots().get(i);
            String p = "root." + i + ".";
            add(f, p + "thread", s.thread().name());
            add(f, p + "waitsFor", s.waitsFor());
            add(f, p + "waitKind", s.waitKind());
            if (s.since() > 0) {
                add(f, p + "since", String.valueOf(s.since()));
            }
            add(f, p + "stuckMs", String.valueOf(s.stuckMillis()));
            add(f, p + "why", s.why());
            add(f, p + "unknown", s.unknown());
            for (int j = 0; j < s.wakers().size(); j++) {
                HangReport.Waker w = s.wakers().get(j);
                String wp = p + "waker." + j + ".";
                add(f, wp + "name", w.name());
                add(f, wp + "id", String.valueOf(w.id()));
                add(f, wp + "role", w.role());
                add(f, wp + "alive", String.valueOf(w.alive()));
                add(f, wp + "now", w.now());
            }
        }
        add(f, "behindCount", String.valueOf(r.behind().size()));
        threads(f, "thread.", threads);
    }

    private static void threads(List<Field> f, String prefix, List<ThreadReport> threads) {
        add(f, "threadCount", String.valueOf(threads.size()));
        for (int i = 0; i < threads.size(); i++) {
            ThreadReport t = threads.get(i);
            String p = prefix + i + ".";
            add(f, p + "name", t.name());
            add(f, p + "id", String.valueOf(t.id()));
            add(f, p + "state", t.state());
            add(f, p + "virtual", String.valueOf(t.virtual()));
            Wait w = t.waits();
            if (w != null) {
                // A class being initialized is named by its class name alone (it is no lock and has no hash here).
                add(f, p + "waits.lock", w.mode() == Mode.CLASS_INIT ? w.lock().className() : w.lock().key());
                add(f, p + "waits.mode", w.mode().name());
                add(f, p + "waits.timed", String.valueOf(w.timed()));
                add(f, p + "waits.holder", w.holderName());
                add(f, p + "waits.holderId", String.valueOf(w.holderId()));
                add(f, p + "waits.heldAs", w.heldAs().name());
                if (w.waitingMillis() >= 0) {
                    add(f, p + "waits.ms", String.valueOf(w.waitingMillis()));
                }
                add(f, p + "waits.note", w.note());
            }
            holds(f, p, t.holds());
            stack(f, p, t.stack());
        }
    }

    private static void holds(List<Field> f, String prefix, List<Held> holds) {
        for (int j = 0; j < holds.size(); j++) {
            Held h = holds.get(j);
            String hp = prefix + "holds." + j + ".";
            add(f, hp + "lock", h.lock().key());
            add(f, hp + "mode", h.mode().name());
            add(f, hp + "site", h.site());
        }
    }

    private static void stack(List<Field> f, String prefix, List<StackTraceElement> stack) {
        for (int k = 0; k < stack.size(); k++) {
            add(f, prefix + "stack." + k, stack.get(k).toString());
        }
    }

    private static void add(List<Field> f, String key, String value) {
        if (value != null) {
            f.add(new Field(key, value));
        }
    }
}
