package dev.lockwatch.agent.ops;

import dev.lockwatch.agent.alert.Event;
import dev.lockwatch.agent.alert.Output;
import dev.lockwatch.agent.detect.Sample;
import dev.lockwatch.agent.report.SafeText;
import dev.lockwatch.agent.graph.ThreadNode;
import dev.lockwatch.agent.graph.WaitEdge;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.graph.WaitForGraph;
import dev.lockwatch.bootstrap.ThreadRecord;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The wait-for graph of the last check, with how long each wait has lasted, for the MBean, {@code status} and
 * thread dumps.
 *
 * <p>Protocol: only the watchdog thread calls {@link #update}; it builds an immutable {@link Snapshot} and
 * publishes it through a volatile field; readers (JMX threads) render whatever snapshot they read. A snapshot
 * holds thread ids, names and lock names only, never a thread or a lock, so it keeps nothing alive.
 *
 * <p>How long: for a {@code java.util.concurrent} wait the thread's own record says when it began; for any other
 * wait (a monitor, a wait begun before Lockwatch was attached) the first check that saw the same wait episode
 * is taken, and the time shown is a lower bound ("at least").
 */
public final class CurrentWaits implements Output {
    private volatile Snapshot snapshot = new Snapshot(WaitForGraph.builder().build(), Map.of(), java.util.Set.of(), 0, 0);
    private long checks;

    /** When a wait began, and whether that is exact or only when a check first saw it. */
    record Since(long nanos, boolean exact) {
    }

    /** @param ended holders that have ended: a lock they hold is never released (issue 10 item 13) */
    record Snapshot(WaitForGraph graph, Map<String, Since> since, java.util.Set<Long> ended, long takenNanos, long check) {
    }

    @Override
    public void event(Event event) {
    }

    /** Watchdog thread only. */
    @Override
    public void checked(Sample sample, long check) {
        update(sample);
    }

    void update(Sample sample) {
        long now = System.nanoTime();
        Snapshot before = snapshot;
        Map<String, Since> since = new HashMap<>();
        java.util.Set<Long> ended = new java.util.HashSet<>();
        for (WaitEdge e : sample.graph().edges()) {
            Thread holder = sample.threads().get(e.holder());
            if (holder != null && !holder.isAlive()) {
                ended.add(e.holder());
            }
            String key = key(e);
            ThreadRecord r = sample.records().get(e.waiter());
            if (r != null && r.waitingOn() != null && r.waitEpoch() == (int) e.episode()) {
                since.put(key, new Since(r.waitSinceNanos(), true));
            } else {
                Since earlier = before.since().get(key);
                since.put(key, earlier != null ? earlier : new Since(now, false));
            }
        }
        checks++;
        snapshot = new Snapshot(sample.graph(), since, ended, now, checks);
    }

    private static String key(WaitEdge e) {
        return e.waiter() + ">" + e.episode() + ">" + e.lock().key();
    }

    /** Who waits for what and for how long, one line per wait, as of the last check. */
    public String render() {
        Snapshot s = snapshot;
        long now = System.nanoTime();
        StringBuilder sb = new StringBuilder();
        List<WaitEdge> edges = s.graph().edges();
        if (s.check() == 0) {
            return "wait-for graph: no check has run yet\n";
        }
        sb.append("wait-for graph as of check ").append(s.check()).append(", ")
                .append((now - s.takenNanos()) / 1_000_000).append(" ms ago: ");
        if (edges.isEmpty()) {
            return sb.append("no thread waits for a lock or a task\n").toString();
        }
        sb.append(edges.size()).append(edges.size() == 1 ? " wait\n" : " waits\n");
        for (WaitEdge e : edges) {
            sb.append("  ").append(thread(s.graph(), e.waiter())).append(" waits for ").append(describe(e));
            if (e.timed()) {
                sb.append(" with a timeout");
            }
            sb.append(", ").append(holderPhrase(e.heldAs())).append(' ').append(thread(s.graph(), e.holder()));
            if (s.ended().contains(e.holder())) {
                sb.append(", whose thread has ended: it will never release it");
            }
            Since since = s.since().get(key(e));
            if (since != null) {
                long ms = Math.max(0, (now - since.nanos()) / 1_000_000);
                sb.append(since.exact() ? ", for " : ", for at least ").append(ms).append(" ms");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String thread(WaitForGraph g, long id) {
        ThreadNode n = g.node(id);
        return SafeText.quote(n == null ? "?" : n.name()) + " (id " + id + (n != null && n.virtual() ? ", virtual)" : ")");
    }

    private static String describe(WaitEdge e) {
        String lock = SafeText.escape(e.lock().key());
        switch (e.waitMode()) {
            case MONITOR:
                return "monitor " + lock;
            case READ:
                return "read lock " + lock;
            case TASK:
            case POOL:
                return "task " + lock;
            default:
                return (lock.contains("ReentrantReadWriteLock") ? "write lock " : "lock ") + lock;
        }
    }

    private static String holderPhrase(Mode heldAs) {
        switch (heldAs) {
            case QUEUED:
                return "queued first:";
            case TASK:
                return "running on";
            case READ:
                return "read-held by";
            default:
                return "held by";
        }
    }
}
