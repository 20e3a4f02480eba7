package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.Cycle;
import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.QueuedWait;
import dev.lockwatch.agent.graph.Starvation;
import dev.lockwatch.agent.report.HeldWhileBlockingReport;
import dev.lockwatch.agent.report.StarvationReport;
import dev.lockwatch.agent.sites.SiteTable;
import dev.lockwatch.bootstrap.HeldWhileBlocking;
import dev.lockwatch.agent.graph.ThreadNode;
import dev.lockwatch.agent.graph.WaitEdge;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.report.DeadlockReport;
import dev.lockwatch.agent.report.DeadlockReport.Held;
import dev.lockwatch.agent.report.DeadlockReport.ThreadReport;
import dev.lockwatch.agent.report.DeadlockReport.Wait;
import dev.lockwatch.bootstrap.Registry;
import dev.lockwatch.bootstrap.Threads;
import dev.lockwatch.bootstrap.ThreadRecord;

import java.lang.management.LockInfo;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers the details of a confirmed cycle: states, stacks, held locks and where they were taken. Runs only when
 * there is something to report, so it may afford the JVM's full thread dump of the cycle's threads
 * ({@code lockedSynchronizers} walks the heap).
 */
public final class ReportBuilder {
    private static final String POOL_WORKER_LOCK = "java.util.concurrent.ThreadPoolExecutor$Worker";

    private final ThreadMXBean mx;
    private final JdkLocks locks;
    private final SiteTable sites;

    public ReportBuilder(ThreadMXBean mx, JdkLocks locks, SiteTable sites) {
        this.mx = mx;
        this.locks = locks;
        this.sites = sites;
    }

    public DeadlockReport build(Cycle cycle, Sample sample) {
        Map<Long, ThreadInfo> infos = threadInfos(cycle.threadIds(), sample);
        List<ThreadReport> threads = new ArrayList<>();
        for (WaitEdge e : cycle.edges()) {
            threads.add(describe(e, sample, infos.get(e.waiter())));
        }
        return new DeadlockReport(cycle.fingerprint(), cycle.timed(), threads);
    }

    public StarvationReport build(Starvation starvation, Sample sample) {
        List<Long> ids = new ArrayList<>(starvation.workers());
        for (QueuedWait q : starvation.queued()) {
            if (!ids.contains(q.waiter())) {
                ids.add(q.waiter());
            }
        }
        Map<Long, ThreadInfo> infos = threadInfos(ids, sample);
        List<ThreadReport> threads = new ArrayList<>();
        for (long id : ids) {
            QueuedWait queued = null;
            for (QueuedWait q : starvation.queued()) {
                if (q.waiter() == id) {
                    queued = q;
                }
            }
            if (queued != null) {
                QueuedWait q = queued;
                threads.add(describe(id, q.episode(), sample, infos.get(id), (record, ms) ->
                        new Wait(q.task(), Mode.POOL, false, -1, q.pool().key(), Mode.POOL, ms, q.taskName())));
                continue;
            }
            List<WaitEdge> out = sample.graph().outgoing(id);
            if (!out.isEmpty()) {
                threads.add(describe(out.get(0), sample, infos.get(id)));
            }
        }
        List<StarvationReport.QueuedTask> queued = new ArrayList<>();
        for (QueuedWait q : starvation.queued()) {
            String waiter = sample.graph().node(q.waiter()).name();
            StarvationReport.QueuedTask existing = null;
            for (StarvationReport.QueuedTask t : queued) {
                if (t.task().equals(q.task().key())) {
                    existing = t;
                }
            }
            if (existing == null) {
                queued.add(new StarvationReport.QueuedTask(q.task().key(), q.taskName(), List.of(waiter)));
            } else {
                List<String> by = new ArrayList<>(existing.waitedBy());
                by.add(waiter);
                queued.set(queued.indexOf(existing), new StarvationReport.QueuedTask(existing.task(), existing.name(), by));
            }
        }
        return new StarvationReport(starvation.fingerprint(), starvation.pool().pool().key(),
                starvation.pool().workers().size(), threads, queued);
    }

    /** A finding made on the application thread (locks of java.util.concurrent), as a report. */
    public HeldWhileBlockingReport build(HeldWhileBlocking.Note b) {
        List<HeldWhileBlockingReport.Hold> holds = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < b.locks.length; i++) {
            String site = sites.describe(b.sites[i]);
            holds.add(new HeldWhileBlockingReport.Hold(LockRef.of(locks.syncOf(b.locks[i])).key(),
                    b.modes[i] == ThreadRecord.READ ? "read lock" : "lock", site));
            parts.add(site + " -> " + b.waitSite);
        }
        return new HeldWhileBlockingReport(fingerprintOf(parts), b.threadName, b.threadId, b.waitsFor, b.waitSite,
                holds, Frames.withoutAgent(b.stack));
    }

    /**
     * Monitors held by platform threads that block in hand-off waits: the JVM knows them, the application
     * threads do not. One {@code getThreadInfo} call for all of them (each such call is a safepoint, so never
     * one per thread). Returns the new findings: a (monitor site, wait site) pair is reported once.
     */
    public List<HeldWhileBlockingReport> monitorsHeldWhileBlocking(List<ThreadRecord> waiters) {
        List<HeldWhileBlockingReport> found = new ArrayList<>();
        if (!mx.isObjectMonitorUsageSupported() || waiters.isEmpty()) {
            return found;
        }
        Map<Long, ThreadRecord> byId = new HashMap<>();
        Map<Long, Object> futures = new HashMap<>();
        Map<Long, Integer> epochs = new HashMap<>();
        for (ThreadRecord r : waiters) {
            Object future = r.waitingOn();
            if (!r.virtual && future != null) {
                byId.put(r.threadId, r);
                futures.put(r.threadId, future);
                epochs.put(r.threadId, r.waitEpoch());
            }
        }
        long[] ids = byId.keySet().stream().mapToLong(Long::longValue).toArray();
        if (ids.length == 0) {
            return found;
        }
        for (ThreadInfo info : mx.getThreadInfo(ids, true, false)) {
            if (info == null || info.getLockedMonitors().length == 0) {
                continue;
            }
            long id = info.getThreadId();
            ThreadRecord record = byId.get(id);
            Object future = futures.get(id);
            if (record.waitingOn() != future || record.waitEpoch() != epochs.get(id)) {
                continue; // the wait ended while we looked: the monitors may belong to something else
            }
            String waitSite = HeldWhileBlocking.firstApplicationFrame(info.getStackTrace());
            List<HeldWhileBlockingReport.Hold> holds = new ArrayList<>();
            List<String> parts = new ArrayList<>();
            boolean fresh = false;
            MonitorInfo[] monitors = info.getLockedMonitors();
            for (int i = monitors.length - 1; i >= 0; i--) {
                MonitorInfo m = monitors[i];
                String site = m.getLockedStackFrame() == null ? null : Frames.site(m.getLockedStackFrame());
                String lock = new LockRef(m.getClassName(), m.getIdentityHashCode()).key();
                boolean dup = false;
                for (HeldWhileBlockingReport.Hold h : holds) {
                    dup |= h.lock().equals(lock);
                }
                if (dup) {
                    continue;
                }
                holds.add(new HeldWhileBlockingReport.Hold(lock, "monitor", site));
                parts.add(site + " -> " + waitSite);
                fresh |= HeldWhileBlocking.firstSeen(String.valueOf(site), waitSite);
            }
            if (fresh) {
                found.add(new HeldWhileBlockingReport(fingerprintOf(parts), info.getThreadName(), id,
                        future.getClass().getName(), waitSite, holds, Frames.withoutAgent(info.getStackTrace())));
            }
        }
        return found;
    }

    private static String fingerprintOf(List<String> parts) {
        return Cycle.hash(parts);
    }

    private Map<Long, ThreadInfo> threadInfos(List<Long> ids, Sample sample) {
        Map<Long, ThreadInfo> infos = new HashMap<>();
        long[] platform = ids.stream().filter(id -> !isVirtual(sample, id)).mapToLong(Long::longValue).toArray();
        if (platform.length > 0) {
            ThreadInfo[] dump = mx.getThreadInfo(platform, mx.isObjectMonitorUsageSupported(),
                    mx.isSynchronizerUsageSupported());
            for (ThreadInfo ti : dump) {
                if (ti != null) {
                    infos.put(ti.getThreadId(), ti);
                }
            }
        }
        return infos;
    }

    private static boolean isVirtual(Sample sample, long id) {
        ThreadNode node = sample.graph().node(id);
        return node != null && node.virtual();
    }

    private ThreadReport describe(WaitEdge e, Sample sample, ThreadInfo info) {
        ThreadNode holder = sample.graph().node(e.holder());
        return describe(e.waiter(), e.episode(), sample, info, (record, waitingMillis) ->
                new Wait(e.lock(), e.waitMode(), e.timed(), e.holder(), holder.name(), e.heldAs(), waitingMillis, null));
    }

    /** Builds the wait part once the thread's record and wait time are known. */
    private interface WaitFactory {
        Wait wait(ThreadRecord record, long waitingMillis);
    }

    private ThreadReport describe(long threadId, long episode, Sample sample, ThreadInfo info, WaitFactory waits) {
        ThreadNode node = sample.graph().node(threadId);
        Thread thread = sample.threads().get(threadId);
        ThreadRecord record = sample.records().get(threadId);
        if (record == null) {
            record = Registry.recordOf(threadId); // e.g. BLOCKED on a monitor: not among the waiting records
        }
        if (thread == null && record != null) {
            thread = record.get();
        }

        String name = thread != null ? Threads.displayName(thread) : node.name();
        String state = info != null ? info.getThreadState().name() : thread != null ? thread.getState().name() : "UNKNOWN";
        long waitingMillis = -1;
        if (record != null && record.waitingOn() != null && record.waitEpoch() == (int) episode) {
            waitingMillis = (System.nanoTime() - record.waitSinceNanos()) / 1_000_000;
        }
        Wait wait = waits.wait(record, waitingMillis);

        List<Held> holds = new ArrayList<>();
        if (record != null && thread != null) {
            Object[] held = new Object[ThreadRecord.maxHeld()];
            int[] sites = new int[held.length];
            byte[] modes = new byte[held.length];
            int n = record.copyHolds(held, sites, modes);
            for (int i = 0; i < n; i++) {
                if (held[i] == null) {
                    continue;
                }
                Object sync = locks.syncOf(held[i]);
                boolean read = modes[i] == ThreadRecord.READ;
                // A release is not recorded: the JDK's owner or read count says whether the hold still stands.
                if (read ? locks.readHoldsOf(sync, thread) == 0 : locks.exclusiveOwner(sync) != thread) {
                    continue;
                }
                addHold(holds, new Held(LockRef.of(sync), read ? Mode.READ : Mode.EXCLUSIVE, this.sites.describe(sites[i])));
            }
        }
        if (info != null) {
            MonitorInfo[] monitors = info.getLockedMonitors(); // innermost first: walk outward-in, so a
            for (int i = monitors.length - 1; i >= 0; i--) {    // re-entered monitor shows where it was first taken
                MonitorInfo m = monitors[i];
                StackTraceElement frame = m.getLockedStackFrame();
                addHold(holds, new Held(new LockRef(m.getClassName(), m.getIdentityHashCode()), Mode.MONITOR,
                        frame == null ? null : Frames.site(frame)));
            }
            for (LockInfo s : info.getLockedSynchronizers()) {
                if (s.getClassName().equals(POOL_WORKER_LOCK)) {
                    continue; // a pool worker's own run lock: held while it runs any task, never the cause
                }
                addHold(holds, new Held(new LockRef(s.getClassName(), s.getIdentityHashCode()), Mode.EXCLUSIVE, null));
            }
        }
        StackTraceElement[] raw = info != null ? info.getStackTrace()
                : thread != null ? thread.getStackTrace() : new StackTraceElement[0];
        List<StackTraceElement> stack = Frames.withoutAgent(raw);
        return new ThreadReport(name, threadId, state, node.virtual(), wait, holds, stack);
    }

    /** The same lock is listed once, the first (most precise) description wins; re-entrant holds count once. */
    private static void addHold(List<Held> holds, Held h) {
        for (Held existing : holds) {
            if (existing.lock().equals(h.lock()) && existing.mode() == h.mode()) {
                return;
            }
        }
        holds.add(h);
    }
}
