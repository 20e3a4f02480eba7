package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.Cycle;
import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.QueuedWait;
import dev.lockwatch.agent.graph.Starvation;
import dev.lockwatch.agent.graph.ThreadNode;
import dev.lockwatch.agent.graph.WaitEdge;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.jdk.JdkLocks;
import dev.lockwatch.agent.report.DeadlockReport;
import dev.lockwatch.agent.report.Fingerprint;
import dev.lockwatch.agent.report.Frames;
import dev.lockwatch.agent.report.HeldWhileBlockingReport;
import dev.lockwatch.agent.report.SafeText;
import dev.lockwatch.agent.report.StarvationReport;
import dev.lockwatch.agent.report.ThreadReport;
import dev.lockwatch.agent.report.ThreadReport.Held;
import dev.lockwatch.agent.report.ThreadReport.Wait;
import dev.lockwatch.agent.sites.MonitorSites;
import dev.lockwatch.agent.sites.SiteTable;
import dev.lockwatch.bootstrap.HeldWhileBlocking;
import dev.lockwatch.bootstrap.Registry;
import dev.lockwatch.bootstrap.ThreadRecord;
import dev.lockwatch.bootstrap.Threads;

import java.lang.management.LockInfo;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers the details of a finding: states, stacks, held locks and where they were taken, and the fingerprint.
 * Runs only when there is something to report, so it may afford the JVM's full thread dump of the finding's threads
 * ({@code lockedSynchronizers} walks the heap).
 *
 * <p>Fingerprints are built from what the code does, never from ids, identity hashes or thread names: per thread of
 * a cycle, how it waits, where it waits (its innermost application frame), and where the lock it waits for was
 * taken (or the lock's class where that is not known).
 */
public final class ReportBuilder {
    private static final String POOL_WORKER_LOCK = "java.util.concurrent.ThreadPoolExecutor$Worker";

    private final ThreadMXBean mx;
    private final JdkLocks locks;
    private final SiteTable sites;
    private final MonitorSites monitorSites;

    public ReportBuilder(ThreadMXBean mx, JdkLocks locks, SiteTable sites, MonitorSites monitorSites) {
        this.mx = mx;
        this.locks = locks;
        this.sites = sites;
        this.monitorSites = monitorSites;
    }

    public DeadlockReport deadlock(Cycle cycle, Sample sample) {
        Map<Long, ThreadInfo> infos = threadInfos(cycle.threadIds(), sample);
        List<ThreadReport> threads = new ArrayList<>();
        for (WaitEdge e : cycle.edges()) {
            threads.add(describe(e, sample, infos.get(e.waiter())));
        }
        monitorSites.forget();
        return new DeadlockReport(Fingerprint.of(waitParts("deadlock", threads)), cycle.timed(), threads);
    }

    /**
     * Per thread: how it waits, where, and where the awaited lock was taken by the thread that holds it (the next
     * thread of a cycle, found by the holder's id among the report's threads).
     */
    private static List<String> waitParts(String kind, List<ThreadReport> threads) {
        Map<Long, ThreadReport> byId = new HashMap<>();
        for (ThreadReport t : threads) {
            byId.put(t.id(), t);
        }
        List<String> parts = new ArrayList<>();
        parts.add(kind);
        for (ThreadReport t : threads) {
            Wait w = t.waits();
            String awaited = w == null ? "-" : w.mode() + " " + Fingerprint.stableClassName(w.lock().className());
            ThreadReport holder = w == null ? null : byId.get(w.holderId());
            if (holder != null && w.heldAs() != Mode.TASK && w.heldAs() != Mode.POOL && w.heldAs() != Mode.CLASS_INIT) {
                for (Held h : holder.holds()) {
                    if (h.lock().equals(w.lock()) && h.site() != null) {
                        awaited = w.mode() + " taken at " + h.site();
                    }
                }
            }
            parts.add(awaited + " waited at " + waitSite(t, w));
        }
        return parts;
    }

    /**
     * Where a thread waits, for fingerprints. A thread blocked on a monitor is given the line of its frame's bytecode
     * index as HotSpot reports it, which for a blocked {@code monitorenter} is not stable: the line after it
     * (interpreted) or the statement's (JaCoCo's probes move it), so the fingerprint would change with instrumentation
     * and JIT state (issue 12). The monitor's acquisition sites keep their lines; the wait is named by its method.
     */
    private static String waitSite(ThreadReport t, Wait w) {
        String frame = t.applicationFrame();
        if (frame != null && w != null && w.mode() == Mode.MONITOR) {
            int paren = frame.indexOf('(');
            return paren < 0 ? frame : frame.substring(0, paren);
        }
        return frame;
    }

    public StarvationReport starvation(Starvation starvation, Sample sample) {
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
        Map<String, StarvationReport.QueuedTask> queued = new LinkedHashMap<>();
        List<String> parts = waitParts("starvation " + starvation.pool().pool().className(), threads);
        for (QueuedWait q : starvation.queued()) {
            String waiter = sample.graph().node(q.waiter()).name();
            StarvationReport.QueuedTask before = queued.get(q.task().key());
            List<String> by = new ArrayList<>(before == null ? List.of() : before.waitedBy());
            by.add(waiter);
            queued.put(q.task().key(), new StarvationReport.QueuedTask(q.task().key(), q.taskName(), by));
            parts.add("queued " + Fingerprint.stableClassName(q.taskName()));
        }
        monitorSites.forget();
        return new StarvationReport(Fingerprint.of(parts), starvation.pool().pool().key(),
                starvation.pool().workers().size(), threads, new ArrayList<>(queued.values()));
    }

    /** A note made on the application thread (locks of java.util.concurrent), as a report. */
    public HeldWhileBlockingReport heldWhileBlocking(HeldWhileBlocking.Note b) {
        List<Held> holds = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < b.locks.length; i++) {
            String site = sites.describe(b.sites[i]);
            Mode mode = b.modes[i] == ThreadRecord.READ ? Mode.READ : Mode.EXCLUSIVE;
            holds.add(new Held(LockRef.of(locks.syncOf(b.locks[i])), mode, site, site == null ? Held.NOT_REWRITTEN : null));
            parts.add(site + " -> " + b.waitSite);
        }
        return new HeldWhileBlockingReport(Fingerprint.of(parts), b.threadName, b.threadId, b.waitsFor, b.waitSite,
                holds, Frames.withoutAgent(b.stack));
    }

    /**
     * Monitors held by platform threads that block in hand-off waits: the JVM knows them, the application threads do
     * not. One {@code getThreadInfo} call for all of them (each such call is a safepoint, so never one per thread).
     * Returns the new findings: a (monitor site, wait site) pair is reported once.
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
            List<Held> holds = new ArrayList<>();
            List<String> parts = new ArrayList<>();
            boolean fresh = false;
            MonitorInfo[] monitors = info.getLockedMonitors();
            for (int i = monitors.length - 1; i >= 0; i--) {
                MonitorInfo m = monitors[i];
                String site = monitorSite(info, m);
                LockRef lock = new LockRef(m.getClassName(), m.getIdentityHashCode());
                boolean dup = false;
                for (Held h : holds) {
                    dup |= h.lock().equals(lock);
                }
                if (dup) {
                    continue;
                }
                holds.add(new Held(lock, Mode.MONITOR, site));
                parts.add(site + " -> " + waitSite);
                fresh |= HeldWhileBlocking.firstSeen(String.valueOf(site), waitSite);
            }
            if (fresh) {
                found.add(new HeldWhileBlockingReport(Fingerprint.of(parts), info.getThreadName(), id,
                        future.getClass().getName(), waitSite, holds, Frames.withoutAgent(info.getStackTrace())));
            }
        }
        monitorSites.forget();
        return found;
    }

    /** Where a monitor was entered: the {@code synchronized} statement's line, found from the frame that holds it. */
    private String monitorSite(ThreadInfo info, MonitorInfo m) {
        StackTraceElement frame = m.getLockedStackFrame();
        if (frame == null) {
            return null;
        }
        int depth = m.getLockedStackDepth();
        int inner = 0; // monitors of the same frame entered after this one: they are listed before it
        int held = 0;
        boolean before = true;
        for (MonitorInfo other : info.getLockedMonitors()) {
            if (other == m) {
                before = false;
            }
            if (other.getLockedStackDepth() == depth) {
                held++;
                if (before) {
                    inner++;
                }
            }
        }
        boolean entering = depth == 0 && info.getThreadState() == Thread.State.BLOCKED;
        return monitorSites.site(frame, inner, held, entering);
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

    ThreadReport describe(WaitEdge e, Sample sample, ThreadInfo info) {
        ThreadNode holder = sample.graph().node(e.holder());
        String note = e.heldAs() == Mode.PERMIT ? otherPermitHolders(e, sample) : null;
        return describe(e.waiter(), e.episode(), sample, info, (record, waitingMillis) ->
                new Wait(e.lock(), e.waitMode(), e.timed(), e.holder(), holder.name(), e.heldAs(), waitingMillis, note));
    }

    /** The semaphore's other permit holders besides the edge's (all in the cycle), quoted, or null when there are none. */
    private static String otherPermitHolders(WaitEdge e, Sample sample) {
        StringBuilder sb = new StringBuilder();
        for (WaitEdge other : sample.graph().outgoing(e.waiter())) {
            if (other.heldAs() == Mode.PERMIT && other.lock().equals(e.lock()) && other.holder() != e.holder()) {
                ThreadNode n = sample.graph().node(other.holder());
                sb.append(sb.length() == 0 ? "its other permits taken by " : ", ")
                        .append(SafeText.quote(n == null ? "?" : n.name()));
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** Builds the wait part once the thread's record and wait time are known. */
    interface WaitFactory {
        Wait wait(ThreadRecord record, long waitingMillis);
    }

    ThreadReport describe(long threadId, long episode, Sample sample, ThreadInfo info, WaitFactory waits) {
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
        List<Held> holds = holdsOf(record, thread, info);
        StackTraceElement[] raw = info != null ? info.getStackTrace()
                : thread != null ? thread.getStackTrace() : new StackTraceElement[0];
        return new ThreadReport(name, threadId, state, node != null && node.virtual(), wait, holds, Frames.withoutAgent(raw));
    }

    /**
     * Every lock a thread holds: the holds its record notes that the JDK confirms (a release is not recorded), with
     * their sites; then the monitors and synchronizers the JVM lists ({@code info}, for platform threads), those
     * the record did not name having no site.
     */
    List<Held> holdsOf(ThreadRecord record, Thread thread, ThreadInfo info) {
        List<Held> holds = new ArrayList<>();
        if (record != null && thread != null) {
            Object[] held = new Object[ThreadRecord.maxHeld()];
            int[] siteIds = new int[held.length];
            byte[] modes = new byte[held.length];
            int n = record.copyHolds(held, siteIds, modes);
            for (int i = 0; i < n; i++) {
                if (held[i] == null || modes[i] == ThreadRecord.MONITOR) {
                    continue; // monitors: the JVM's own list below, with the exact line of their synchronized
                }
                Object sync = locks.syncOf(held[i]);
                boolean read = modes[i] == ThreadRecord.READ;
                // A release is not recorded: the JDK's owner or read count says whether the hold still stands.
                if (read ? locks.readHoldsOf(sync, thread) == 0 : locks.exclusiveOwner(sync) != thread) {
                    continue;
                }
                String site = sites.describe(siteIds[i]);
                addHold(holds, new Held(LockRef.of(sync), read ? Mode.READ : Mode.EXCLUSIVE, site,
                        site == null ? Held.NOT_REWRITTEN : null));
            }
        }
        if (record != null && thread != null) {
            Object[] syncs = new Object[ThreadRecord.PERMIT_SLOTS];
            int n = record.copyPermits(syncs, new int[syncs.length]);
            for (int i = 0; i < n; i++) {
                addHold(holds, new Held(LockRef.of(syncs[i]), Mode.PERMIT, null, Held.PERMIT));
            }
        }
        if (info != null) {
            MonitorInfo[] monitors = info.getLockedMonitors(); // innermost first: walk outward-in, so a
            for (int i = monitors.length - 1; i >= 0; i--) {    // re-entered monitor shows where it was first taken
                MonitorInfo m = monitors[i];
                addHold(holds, new Held(new LockRef(m.getClassName(), m.getIdentityHashCode()), Mode.MONITOR,
                        monitorSite(info, m)));
            }
            for (LockInfo s : info.getLockedSynchronizers()) {
                if (s.getClassName().equals(POOL_WORKER_LOCK)) {
                    continue; // a pool worker's own run lock: held while it runs any task, never the cause
                }
                addHold(holds, new Held(new LockRef(s.getClassName(), s.getIdentityHashCode()), Mode.EXCLUSIVE, null,
                        Frames.jdk(s.getClassName()) ? Held.JDK_CODE : Held.NOT_REWRITTEN));
            }
        }
        return holds;
    }

    /** A report made of {@link #holdsOf} calls is complete: the class files read for monitor sites may go. */
    void sitesDone() {
        monitorSites.forget();
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
