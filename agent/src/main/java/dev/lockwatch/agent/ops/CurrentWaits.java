package dev.lockwatch.agent.ops;

import dev.lockwatch.agent.alert.Event;
import dev.lockwatch.agent.alert.Output;
import dev.lockwatch.agent.detect.Sample;
import dev.lockwatch.agent.report.SafeText;
import dev.lockwatch.agent.graph.LockRef;
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
    private volatile Snapshot snapshot = new Snapshot(WaitForGraph.builder().build(), new long[0], new boolean[0],
            Map.of(), java.util.Set.of(), 0, 0);
    private long checks;

    /** A wait whose start only a check saw: the waiter, its episode and the lock (no string built per wait). */
    record WaitKey(long waiter, long episode, LockRef lock) {
        static WaitKey of(WaitEdge e) {
            return new WaitKey(e.waiter(), e.episode(), e.lock());
        }
    }

    /**
     * @param since     by edge index: when the wait began
     * @param exact     by edge index: whether that is exact (the waiter's record) or when a check first saw it
     * @param firstSeen the inexact ones by wait, for the next check, which carries them over
     * @param ended     holders that have ended: a lock they hold is never released (issue 10 item 13)
     */
    record Snapshot(WaitForGraph graph, long[] since, boolean[] exact, Map<WaitKey, Long> firstSeen,
                    java.util.Set<Long> ended, long takenNanos, long check) {
    }

    @Override
    public void event(Event event) {
    }

    /** Watchdog thread only. */
    @Override
    public void checked(Sample sample, long check) {
        update(sample);
    }

    /** One pass over the edges; a thousand waiters of one lock share their holder, asked for once. */
    void update(Sample sample) {
        long now = System.nanoTime();
        Snapshot before = snapshot;
        List<WaitEdge> edges = sample.graph().edges();
        long[] since = new long[edges.size()];
        boolean[] exact = new boolean[edges.size()];
        Map<WaitKey, Long> firstSeen = new HashMap<>();
        java.util.Set<Long> ended = new java.util.HashSet<>();
        long holderId = -1;
        for (int i = 0; i < since.length; i++) {
            WaitEdge e = edges.get(i);
            if (e.holder() != holderId) {
                holderId = e.holder();
                Thread holder = sample.threads().get(holderId);
                if (holder != null && !holder.isAlive()) {
                    ended.add(holderId);
                }
            }
            ThreadRecord r = sample.records().get(e.waiter());
            if (r != null && r.waitingOn() != null && r.waitEpoch() == (int) e.episode()) {
                since[i] = r.waitSinceNanos();
                exact[i] = true;
            } else {
                WaitKey key = WaitKey.of(e);
                Long earlier = before.firstSeen().get(key);
                since[i] = earlier != null ? earlier : now;
                firstSeen.put(key, since[i]);
            }
        }
        checks++;
        snapshot = new Snapshot(sample.graph(), since, exact, firstSeen, ended, now, checks);
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
        for (int i = 0; i < edges.size(); i++) {
            WaitEdge e = edges.get(i);
            sb.append("  ").append(thread(s.graph(), e.waiter())).append(" waits for ").append(describe(e));
            if (e.timed()) {
                sb.append(" with a timeout");
            }
            sb.append(", ").append(holderPhrase(e.heldAs())).append(' ').append(thread(s.graph(), e.holder()));
            if (s.ended().contains(e.holder())) {
                sb.append(", whose thread has ended: it will never release it");
            }
            long ms = Math.max(0, (now - s.since()[i]) / 1_000_000);
            sb.append(s.exact()[i] ? ", for " : ", for at least ").append(ms).append(" ms");
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
            case CLASS_INIT:
                return "the initialization of class " + SafeText.escape(e.lock().className());
            case PERMIT:
                return "a permit of semaphore " + lock;
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
            case CLASS_INIT:
                return "whose static initializer runs on";
            case READ:
                return "read-held by";
            case PERMIT:
                return "taken and not released by";
            default:
                return "held by";
        }
    }
}
