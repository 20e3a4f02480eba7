package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.Cycle;
import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.ThreadNode;
import dev.lockwatch.agent.graph.WaitEdge;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.report.DeadlockReport;
import dev.lockwatch.agent.report.DeadlockReport.Held;
import dev.lockwatch.agent.report.DeadlockReport.ThreadReport;
import dev.lockwatch.agent.report.DeadlockReport.Wait;
import dev.lockwatch.bootstrap.CallSites;
import dev.lockwatch.bootstrap.Registry;
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
    private final ThreadMXBean mx;
    private final JdkLocks locks;

    public ReportBuilder(ThreadMXBean mx, JdkLocks locks) {
        this.mx = mx;
        this.locks = locks;
    }

    public DeadlockReport build(Cycle cycle, Sample sample) {
        List<Long> ids = cycle.threadIds();
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
        List<ThreadReport> threads = new ArrayList<>();
        for (WaitEdge e : cycle.edges()) {
            threads.add(describe(e, sample, infos.get(e.waiter())));
        }
        return new DeadlockReport(cycle.fingerprint(), cycle.timed(), threads);
    }

    private static boolean isVirtual(Sample sample, long id) {
        ThreadNode node = sample.graph().node(id);
        return node != null && node.virtual();
    }

    private ThreadReport describe(WaitEdge e, Sample sample, ThreadInfo info) {
        ThreadNode node = sample.graph().node(e.waiter());
        ThreadNode holder = sample.graph().node(e.holder());
        Thread thread = sample.threads().get(e.waiter());
        ThreadRecord record = sample.records().get(e.waiter());
        if (record == null) {
            record = Registry.recordOf(e.waiter()); // e.g. BLOCKED on a monitor: not among the waiting records
        }
        if (thread == null && record != null) {
            thread = record.get();
        }

        String name = thread != null ? thread.getName() : node.name();
        String state = info != null ? info.getThreadState().name() : thread != null ? thread.getState().name() : "UNKNOWN";
        long waitingMillis = -1;
        if (record != null && record.waitingOn() != null && record.waitEpoch() == (int) e.episode()) {
            waitingMillis = (System.nanoTime() - record.waitSinceNanos()) / 1_000_000;
        }
        Wait wait = new Wait(e.lock(), e.waitMode(), e.timed(), e.holder(), holder.name(), e.heldAs(), waitingMillis);

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
                if (!read && locks.exclusiveOwner(sync) != thread) {
                    continue; // released where the agent could not see it, or given up in Condition.await
                }
                addHold(holds, new Held(LockRef.of(sync), read ? Mode.READ : Mode.EXCLUSIVE, CallSites.site(sites[i])));
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
                addHold(holds, new Held(new LockRef(s.getClassName(), s.getIdentityHashCode()), Mode.EXCLUSIVE, null));
            }
        }
        StackTraceElement[] raw = info != null ? info.getStackTrace()
                : thread != null ? thread.getStackTrace() : new StackTraceElement[0];
        List<StackTraceElement> stack = Frames.withoutAgent(raw);
        return new ThreadReport(name, e.waiter(), state, node.virtual(), wait, holds, stack);
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
