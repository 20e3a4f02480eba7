package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.jdk.JdkLocks;
import dev.lockwatch.agent.jdk.JdkThreads;
import dev.lockwatch.agent.report.EventKind;
import dev.lockwatch.agent.report.Fingerprint;
import dev.lockwatch.agent.report.Frames;
import dev.lockwatch.agent.report.HangReport;
import dev.lockwatch.agent.report.ThreadReport;
import dev.lockwatch.bootstrap.Registry;
import dev.lockwatch.bootstrap.ThreadRecord;
import dev.lockwatch.bootstrap.Threads;

import java.lang.management.LockInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HANG: threads stuck for good without a cycle. The rule that separates stuck from idle (the README's
 * <i>HANG</i> section says it with the scenarios that show it):
 * <ol>
 *   <li><b>Stuck</b>: a platform thread has been in the same wait episode for {@code hangAfter}: the same awaited
 *       object and, for a wait without a timeout, the same JVM wait and block counts (any wake-up, even a spurious
 *       one, is a new episode). A wait with a timeout is stuck only in case (a) below, where its episode is the
 *       awaited lock.</li>
 *   <li><b>Never idle</b>: a wait inside a known idle loop is never a hang: a pool worker waiting for work
 *       ({@code ThreadPoolExecutor.getTask}, {@code ForkJoinPool.awaitWork}), a {@code BlockingQueue}'s
 *       {@code take}/{@code poll}, a {@code java.util.Timer} thread, reference and cleaner queues, JDK and agent
 *       threads, {@code sleep}, a {@code join} (it waits for a thread that runs, or for one that is stuck and is
 *       then reported itself).</li>
 *   <li><b>Nothing will end it</b>, one of:
 *     <ol type="a">
 *       <li>the owner of the awaited lock has ended (a {@code ReentrantLock}, write lock or other exclusive
 *           synchronizer that was never released);</li>
 *       <li>other threads are stuck behind it: they wait for locks it holds, in a wait seen on two checks;</li>
 *       <li>no other thread could wake it: every other application thread waits without a timeout (or is idle or
 *           a JDK thread). A thread that runs, or sleeps, or waits with a timeout could still act, so this case
 *           never fires while one does.</li>
 *     </ol></li>
 * </ol>
 * A thread that waits for a lock held by a live thread is not a root: it is listed behind the root of its chain.
 * One finding per root; its key is the root and its episode, so a root reported once is not reported again
 * (remind repeats it) until its wait ends.
 *
 * <p>Cost per check: one pass over the platform threads' states and one {@code getThreadInfo} without stacks for
 * those that wait (no safepoint); stacks (a safepoint) only for waits that have lasted {@code hangAfter}, once
 * per wait episode, and for the timed waiters when case (c) is asked.
 */
public final class HangDetector implements Detector {
    private static final int STACK_DEPTH = 64;
    private static final int ENDED_KEPT = 16;

    private final ThreadMXBean mx;
    private final JdkLocks locks;
    private final JdkThreads threads;
    private final Handoffs handoffs;
    private final ReportBuilder reports;
    private final long hangAfterNanos;

    /** Thread id to its current wait episode, as of the last check. */
    private Map<Long, Episode> episodes = new HashMap<>();
    /** Thread id to name, of the application threads alive at the last check. */
    private Map<Long, String> aliveBefore = new HashMap<>();
    /** Application threads that ended recently, newest last. */
    private final Deque<Ended> ended = new ArrayDeque<>();

    public HangDetector(ThreadMXBean mx, JdkLocks locks, JdkThreads threads, Handoffs handoffs, ReportBuilder reports,
                        Duration hangAfter) {
        this.mx = mx;
        this.locks = locks;
        this.threads = threads;
        this.handoffs = handoffs;
        this.reports = reports;
        this.hangAfterNanos = hangAfter.toNanos();
    }

    /** A thread that ended, and when a check first missed it. */
    record Ended(String name, long id, long endedMillis) {
    }

    /** One wait of one thread, followed across checks. */
    static final class Episode {
        final String key;
        final long sinceNanos;
        final long sinceMillis;
        int checks;
        StackTraceElement[] stack;
        /** What it waits for; the awaited object when the registry names it, else null. */
        Object awaited;
        /** The monitor of its {@code Object.wait}, when the call was rewritten and the JVM names the same one. */
        Object monitor;
        ThreadInfo info;
        ThreadRecord record;
        Thread thread;

        Episode(String key, long sinceNanos, long sinceMillis) {
            this.key = key;
            this.sinceNanos = sinceNanos;
            this.sinceMillis = sinceMillis;
        }

        boolean timed() {
            return info.getThreadState() == Thread.State.TIMED_WAITING;
        }
    }

    @Override
    public void find(Sample sample, List<Finding> findings) {
        long now = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        Set<Long> reported = new HashSet<>();
        for (Finding f : findings) {
            reported.addAll(f.threads());
        }
        Thread self = Thread.currentThread();
        Thread[] all = threads.all();
        Map<Long, Thread> byId = new HashMap<>();
        Map<Long, String> alive = new HashMap<>();
        List<Long> waitingIds = new ArrayList<>();
        for (Thread t : all) {
            if (t == self) {
                continue;
            }
            byId.put(t.getId(), t);
            if (!IdleLoops.systemThread(t.getName())) {
                alive.put(t.getId(), t.getName());
            }
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED) {
                waitingIds.add(t.getId());
            }
        }
        noteEnded(alive, nowMillis);
        Map<Long, Episode> now0 = new HashMap<>();
        if (!waitingIds.isEmpty()) {
            long[] ids = waitingIds.stream().mapToLong(Long::longValue).toArray();
            for (ThreadInfo info : mx.getThreadInfo(ids, 0)) { // no stack: no safepoint
                if (info == null) {
                    continue;
                }
                Episode e = episodeOf(info, byId.get(info.getThreadId()), now, nowMillis);
                if (e != null) {
                    now0.put(info.getThreadId(), e);
                }
            }
        }
        episodes = now0;
        aliveBefore = alive;

        // Who waits behind whom: a lock (monitor or exclusive synchronizer) held by a live thread.
        Map<Long, Long> waitsFor = new HashMap<>();
        for (Episode e : now0.values()) {
            long owner = liveOwnerOf(e);
            if (owner >= 0 && owner != e.info.getThreadId()) {
                waitsFor.put(e.info.getThreadId(), owner);
            }
        }
        List<Episode> candidates = new ArrayList<>();
        Handoffs.Stages stages = null;
        for (Episode e : now0.values()) {
            long id = e.info.getThreadId();
            if (reported.contains(id) || waitsFor.containsKey(id) || now - e.sinceNanos < hangAfterNanos) {
                continue;
            }
            if (e.timed() && deadOwnerOf(e) == null) {
                continue; // a timed wait ends by itself unless what it waits for can never come
            }
            if (e.record != null && e.record.waitKind() == ThreadRecord.WAIT_HANDOFF && e.awaited != null) {
                stages = stages == null ? handoffs.stages() : stages;
                if (!handoffs.standing(e.awaited, e.thread, stages).equals(Handoffs.Standing.UNKNOWN)) {
                    continue; // a future that a thread runs or a pool has queued: DEADLOCK and STARVATION's business
                }
            }
            candidates.add(e);
        }
        if (candidates.isEmpty()) {
            return;
        }
        fetchStacks(candidates);
        candidates.sort((a, b) -> Long.compare(a.info.getThreadId(), b.info.getThreadId()));
        Boolean quiet = null;
        // Every waiter of one lock whose owner died is stuck for the same reason: one finding for all of them.
        Map<Object, List<Episode>> byDeadLock = new java.util.IdentityHashMap<>();
        for (Episode root : candidates) {
            long rootId = root.info.getThreadId();
            if (IdleLoops.idle(root.thread, root.info, root.stack)) {
                continue;
            }
            List<Episode> behind = behind(rootId, waitsFor, now0, reported);
            Thread deadOwner = deadOwnerOf(root);
            String why;
            if (deadOwner != null) {
                byDeadLock.computeIfAbsent(root.awaited != null ? root.awaited : root.monitor, k -> new ArrayList<>()).add(root);
                continue;
            }
            if (!behind.isEmpty()) {
                why = "it has made no progress for longer than hangAfter while " + behind.size()
                        + (behind.size() == 1 ? " thread waits" : " threads wait") + " for locks it holds";
            } else {
                if (quiet == null) {
                    quiet = quiet(now0, byId.values(), candidates);
                }
                if (!quiet) {
                    continue; // a thread that runs or will wake could still end the wait: nothing to say yet
                }
                why = "no other thread could wake it: every other application thread waits without a timeout, or is"
                        + " an idle pool, queue or timer thread, and none runs";
            }
            add(findings, List.of(root), behind, null, why, behind.isEmpty() ? "quiet" : "behind", now);
        }
        for (List<Episode> roots : byDeadLock.values()) {
            Thread deadOwner = deadOwnerOf(roots.get(0));
            if (deadOwner == null) {
                continue;
            }
            List<Episode> behind = new ArrayList<>();
            for (Episode r : roots) {
                for (Episode b : behind(r.info.getThreadId(), waitsFor, now0, reported)) {
                    if (!behind.contains(b)) {
                        behind.add(b);
                    }
                }
            }
            Object monitor = roots.get(0).monitor;
            boolean reader = deadReader(roots.get(0));
            String why = monitor == null ? "the thread that holds it" + (reader ? " for reading" : "") + ", \""
                    + Threads.displayName(deadOwner) + "\", has ended without releasing it: nothing can release it now"
                    : "the monitor's field " + DeadFields.fieldName(monitor) + " names \"" + Threads.displayName(deadOwner)
                    + "\", which has ended: a hand-rolled lock whose owner died is never released";
            add(findings, roots, behind, deadOwner, why, "dead owner", now);
        }
    }

    private void add(List<Finding> findings, List<Episode> roots, List<Episode> behind, Thread deadOwner, String why,
                     String reason, long now) {
        Set<Long> ids = new HashSet<>();
        StringBuilder key = new StringBuilder("hang");
        for (Episode r : roots) {
            ids.add(r.info.getThreadId());
            key.append(' ').append(r.info.getThreadId()).append(' ').append(r.key);
        }
        for (Episode b : behind) {
            ids.add(b.info.getThreadId());
        }
        List<Ended> endedNow = List.copyOf(ended);
        findings.add(new Finding(EventKind.HANG, key.toString(), 1, ids,
                () -> report(roots, behind, deadOwner, why, reason, now, endedNow)));
    }

    private void noteEnded(Map<Long, String> alive, long nowMillis) {
        for (Map.Entry<Long, String> e : aliveBefore.entrySet()) {
            if (!alive.containsKey(e.getKey())) {
                ended.addLast(new Ended(e.getValue(), e.getKey(), nowMillis));
                if (ended.size() > ENDED_KEPT) {
                    ended.removeFirst();
                }
            }
        }
    }

    /** The thread's wait episode: continued from the last check when its key is the same, else a new one. */
    private Episode episodeOf(ThreadInfo info, Thread thread, long now, long nowMillis) {
        if (thread == null) {
            return null;
        }
        long id = info.getThreadId();
        ThreadRecord record = Registry.recordOf(id);
        Object awaited = record == null ? null : record.waitingOn();
        int epoch = record == null ? 0 : record.waitEpoch();
        boolean timed = info.getThreadState() == Thread.State.TIMED_WAITING;
        LockInfo li = info.getLockInfo();
        String key;
        if (awaited != null) {
            // The registry's wait (a contended acquire, a future): its episode, or for a timed one the object alone,
            // so that a loop of tryLock(timeout) on a lock whose owner died stays one episode.
            key = "r " + System.identityHashCode(awaited) + (timed ? "" : " " + epoch);
        } else if (monitorOf(record, info) != null && info.getThreadState() != Thread.State.WAITING) {
            // A loop of wait(timeout) on one monitor, re-entering it in between: one episode while it lasts.
            key = "m " + li.getClassName() + "@" + li.getIdentityHashCode();
        } else {
            key = "j " + info.getThreadState() + " " + (li == null ? "-" : li.getClassName() + "@" + li.getIdentityHashCode())
                    + (timed ? "" : " " + info.getWaitedCount() + " " + info.getBlockedCount());
        }
        Episode before = episodes.get(id);
        Episode e;
        if (before != null && before.key.equals(key)) {
            e = before;
        } else {
            long since = now;
            long sinceMillis = nowMillis;
            if (awaited != null && !timed && record.waitEpoch() == epoch) {
                long started = record.waitSinceNanos();
                if (started - now <= 0) {
                    since = started;
                    sinceMillis = nowMillis - (now - started) / 1_000_000;
                }
            }
            e = new Episode(key, since, sinceMillis);
        }
        e.checks++;
        e.info = info;
        e.record = record;
        e.awaited = awaited;
        e.monitor = awaited == null ? monitorOf(record, info) : null;
        e.thread = thread;
        return e;
    }

    /** The monitor the thread is in {@code Object.wait} on (or re-entering after it), when the JVM agrees. */
    private static Object monitorOf(ThreadRecord record, ThreadInfo info) {
        Object m = record == null ? null : record.monitorWaitOpaque();
        LockInfo li = info.getLockInfo();
        return m != null && li != null && System.identityHashCode(m) == li.getIdentityHashCode()
                && m.getClass().getName().equals(li.getClassName()) ? m : null;
    }

    /** The id of the live thread that holds what the episode waits for, or -1. */
    private long liveOwnerOf(Episode e) {
        if (e.awaited != null && e.record.waitKind() == ThreadRecord.WAIT_LOCK) {
            Thread owner = locks.exclusiveOwner(e.awaited);
            return owner != null && owner.isAlive() ? owner.getId() : -1;
        }
        if (e.info.getThreadState() == Thread.State.BLOCKED) {
            return e.info.getLockOwnerId();
        }
        long owner = e.info.getLockOwnerId(); // an exclusive synchronizer the agent did not see the wait for
        return owner;
    }

    /**
     * The thread that holds the awaited lock and has ended, or null: the JDK's exclusive owner of a synchronizer,
     * or, for a monitor wait, a thread that a field of the monitor object names (a hand-rolled lock's owner).
     */
    private Thread deadOwnerOf(Episode e) {
        if (e.monitor != null) {
            return DeadFields.deadThreadIn(e.monitor);
        }
        if (e.awaited == null || e.record.waitKind() != ThreadRecord.WAIT_LOCK) {
            return null;
        }
        Thread owner = locks.exclusiveOwner(e.awaited);
        if (owner == null && !e.record.waitShared() && locks.isReadWrite(e.awaited)) {
            owner = locks.firstReader(e.awaited); // a write lock waits for readers: one that ended never releases
        }
        return owner != null && !owner.isAlive() ? owner : null;
    }

    /** Whether the dead owner of a registry wait holds the lock for reading (a write lock waits behind it). */
    private boolean deadReader(Episode e) {
        return e.awaited != null && locks.exclusiveOwner(e.awaited) == null && locks.isReadWrite(e.awaited);
    }

    /**
     * Reads the fields of an application object for a thread that has ended. Fields are read, never methods
     * called (no application code runs); JDK classes are not looked into.
     */
    static final class DeadFields {
        private DeadFields() {
        }

        static Thread deadThreadIn(Object o) {
            return (Thread) field(o, true);
        }

        /** The field that names a dead thread ({@code HandRolledLock.owner}), or null. */
        static String fieldName(Object o) {
            return (String) field(o, false);
        }

        private static Object field(Object o, boolean thread) {
            for (Class<?> c = o.getClass(); c != null && !Frames.jdk(c.getName()); c = c.getSuperclass()) {
                for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                    if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()
                            || !f.getType().isAssignableFrom(Thread.class) && !Thread.class.isAssignableFrom(f.getType())) {
                        continue;
                    }
                    try {
                        if (!f.trySetAccessible()) {
                            continue;
                        }
                        Object v = f.get(o);
                        if (v instanceof Thread && !((Thread) v).isAlive() && ((Thread) v).getState() == Thread.State.TERMINATED) {
                            return thread ? v : c.getSimpleName() + "." + f.getName();
                        }
                    } catch (Throwable ignored) {
                        // a field that cannot be read names nobody
                    }
                }
            }
            return null;
        }
    }

    /** The threads whose chain of lock waits ends at {@code root}, each in a wait seen on two checks. */
    private static List<Episode> behind(long root, Map<Long, Long> waitsFor, Map<Long, Episode> episodes, Set<Long> reported) {
        List<Episode> behind = new ArrayList<>();
        for (Map.Entry<Long, Long> w : waitsFor.entrySet()) {
            long id = w.getKey();
            if (reported.contains(id)) {
                continue;
            }
            Long next = w.getValue();
            Set<Long> seen = new HashSet<>();
            while (next != null && next != root && seen.add(next)) {
                next = waitsFor.get(next);
            }
            Episode e = episodes.get(id);
            if (next != null && next == root && e != null && e.checks >= 2) {
                behind.add(e);
            }
        }
        behind.sort((a, b) -> Long.compare(a.info.getThreadId(), b.info.getThreadId()));
        return behind;
    }

    /**
     * Case (c): no thread other than the candidates could end a wait. A thread that runs (outside JDK and agent
     * threads) or waits with a timeout outside an idle pool could act, so it makes the answer no.
     */
    private boolean quiet(Map<Long, Episode> waiting, Iterable<Thread> all, List<Episode> candidates) {
        List<Episode> timed = new ArrayList<>();
        for (Thread t : all) {
            if (IdleLoops.systemThread(t.getName())) {
                continue;
            }
            Episode e = waiting.get(t.getId());
            if (e == null) {
                if (t.isAlive()) {
                    return false; // it runs (or has just changed state): it could do anything
                }
                continue;
            }
            if (e.timed()) {
                timed.add(e);
            }
        }
        fetchStacks(timed);
        for (Episode e : timed) {
            if (!IdleLoops.idleTimed(e.stack)) {
                return false;
            }
        }
        return !candidates.isEmpty();
    }

    /** One stack per wait episode: a safepoint, so for all the episodes that need one at once. */
    private void fetchStacks(List<Episode> list) {
        List<Long> need = new ArrayList<>();
        for (Episode e : list) {
            if (e.stack == null) {
                need.add(e.info.getThreadId());
            }
        }
        if (need.isEmpty()) {
            return;
        }
        Map<Long, StackTraceElement[]> stacks = new HashMap<>();
        for (ThreadInfo info : mx.getThreadInfo(need.stream().mapToLong(Long::longValue).toArray(), STACK_DEPTH)) {
            if (info != null) {
                stacks.put(info.getThreadId(), info.getStackTrace());
            }
        }
        for (Episode e : list) {
            if (e.stack == null) {
                e.stack = stacks.getOrDefault(e.info.getThreadId(), new StackTraceElement[0]);
            }
        }
    }

    // ---- the report -------------------------------------------------------------------------------------------

    private HangReport report(List<Episode> roots, List<Episode> behind, Thread deadOwner, String why, String reason,
                              long checkNanos, List<Ended> endedNow) {
        List<Long> ids = new ArrayList<>();
        for (Episode r : roots) {
            ids.add(r.info.getThreadId());
        }
        for (Episode b : behind) {
            ids.add(b.info.getThreadId());
        }
        Map<Long, ThreadInfo> full = new HashMap<>();
        for (ThreadInfo ti : mx.getThreadInfo(ids.stream().mapToLong(Long::longValue).toArray(),
                mx.isObjectMonitorUsageSupported(), mx.isSynchronizerUsageSupported())) {
            if (ti != null) {
                full.put(ti.getThreadId(), ti);
            }
        }
        List<String> parts = new ArrayList<>();
        parts.add("hang " + reason);
        List<HangReport.Stuck> stuck = new ArrayList<>();
        Map<Long, String> rootNames = new HashMap<>();
        for (Episode root : roots) {
            rootNames.put(root.info.getThreadId(), Threads.displayName(root.thread));
            ThreadReport rootReport = describe(root, full.getOrDefault(root.info.getThreadId(), root.info), null);
            LockRef awaited = awaitedRef(root);
            String kind = WaitKinds.of(root, awaited.className());
            List<HangReport.Waker> wakers = new ArrayList<>();
            String unknown = wakers(root, deadOwner, endedNow, wakers);
            parts.add(kind + " " + Fingerprint.stableClassName(awaited.className()) + " waited at "
                    + rootReport.applicationFrame());
            stuck.add(new HangReport.Stuck(rootReport, awaited.key(), kind, root.sinceMillis,
                    (checkNanos - root.sinceNanos) / 1_000_000, why, wakers, unknown));
        }
        List<ThreadReport> behindReports = new ArrayList<>();
        for (Episode b : behind) {
            ThreadInfo bi = full.getOrDefault(b.info.getThreadId(), b.info);
            long holder = liveOwnerOf(b);
            String holderName = rootNames.containsKey(holder) ? rootNames.get(holder) : String.valueOf(bi.getLockOwnerName());
            LockRef lock = awaitedRef(b);
            Mode mode = b.info.getThreadState() == Thread.State.BLOCKED ? Mode.MONITOR : Mode.EXCLUSIVE;
            long waited = (checkNanos - b.sinceNanos) / 1_000_000;
            ThreadReport.Wait w = new ThreadReport.Wait(lock, mode, b.timed(), holder, holderName, mode, waited, null);
            ThreadReport tr = describe(b, bi, w);
            behindReports.add(tr);
            parts.add("behind " + mode + " " + Fingerprint.stableClassName(lock.className()) + " waited at "
                    + tr.applicationFrame());
        }
        reports.sitesDone();
        return new HangReport(Fingerprint.of(parts), stuck, behindReports);
    }

    /** Fills in who was meant to wake the root, where the agent knows; else returns why it cannot know. */
    private String wakers(Episode root, Thread deadOwner, List<Ended> endedNow, List<HangReport.Waker> wakers) {
        if (deadOwner != null) {
            String role = root.monitor != null ? "is named as the owner by the awaited object"
                    : deadReader(root) ? "took the read lock and never released it" : "took the lock and never released it";
            wakers.add(new HangReport.Waker(Threads.displayName(deadOwner), deadOwner.getId(), role, false, "it has ended"));
            return null;
        }
        if (root.record != null && root.awaited != null && root.record.waitKind() == ThreadRecord.WAIT_HANDOFF) {
            return "no thread runs this future and no pool the agent knows has it queued; the agent does not"
                    + " record which thread was meant to complete it";
        }
        for (Ended e : endedNow) {
            if (e.endedMillis() >= root.sinceMillis - hangAfterNanos / 1_000_000) {
                wakers.add(new HangReport.Waker(e.name(), e.id(), "ended shortly before or while it waited (the agent"
                        + " does not record who was to count down, signal, release or notify: it may be this one)",
                        false, "ended before " + java.time.Instant.ofEpochMilli(e.endedMillis())));
            }
        }
        return wakers.isEmpty() ? "the agent does not record which thread was meant to count down, signal, release or"
                + " notify it, and no application thread ended while it waited" : null;
    }

    private ThreadReport describe(Episode e, ThreadInfo info, ThreadReport.Wait wait) {
        Thread t = e.thread;
        ThreadRecord record = e.record != null ? e.record : Registry.recordOf(t.getId());
        return new ThreadReport(Threads.displayName(t), t.getId(), info.getThreadState().name(), Threads.isVirtual(t),
                wait, reports.holdsOf(record, t, info), Frames.withoutAgent(info.getStackTrace()));
    }

    /** The awaited object as reports name objects: the registry's (the synchronizer, the future), else the JVM's. */
    private static LockRef awaitedRef(Episode e) {
        if (e.awaited != null) {
            return LockRef.of(e.awaited);
        }
        LockInfo li = e.info.getLockInfo();
        return li == null ? new LockRef("(nothing the JVM names)", 0) : new LockRef(li.getClassName(), li.getIdentityHashCode());
    }

    /** Names the kind of a wait from the awaited object's class and the thread's state. */
    static final class WaitKinds {
        private WaitKinds() {
        }

        static String of(Episode e, String className) {
            if (e.info.getThreadState() == Thread.State.BLOCKED) {
                return "monitor";
            }
            if (className.startsWith("java.util.concurrent.CountDownLatch")) {
                return "latch";
            }
            if (className.startsWith("java.util.concurrent.Semaphore")) {
                return "semaphore";
            }
            if (className.endsWith("$ConditionObject")) {
                return "condition";
            }
            if (className.startsWith("java.util.concurrent.locks.ReentrantReadWriteLock")) {
                return e.record != null && e.record.waitShared() ? "read lock" : "write lock";
            }
            if (className.startsWith("java.util.concurrent.locks.ReentrantLock")) {
                return "lock";
            }
            if (className.startsWith("java.util.concurrent.CompletableFuture") || className.equals("java.util.concurrent.FutureTask")
                    || (e.record != null && e.record.waitKind() == ThreadRecord.WAIT_HANDOFF)) {
                return "future";
            }
            if (e.awaited == null && e.info.getLockInfo() != null && inObjectWait(e.stack)) {
                return "monitor wait";
            }
            return e.awaited != null ? "synchronizer" : "park";
        }

        private static boolean inObjectWait(StackTraceElement[] stack) {
            if (stack == null) {
                return false;
            }
            for (int i = 0; i < Math.min(3, stack.length); i++) {
                if (stack[i].getClassName().equals("java.lang.Object") && stack[i].getMethodName().startsWith("wait")) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Known idle loops and JDK threads: their waits are never hangs (see the class comment, rule 2). */
    static final class IdleLoops {
        private static final Set<String> SYSTEM_NAMES = Set.of("Reference Handler", "Finalizer", "Signal Dispatcher",
                "Attach Listener", "Notification Thread", "Common-Cleaner", "DestroyJavaVM", "process reaper",
                "JMX server connection timeout", "Monitor Ctrl-Break", "Service Thread");
        private static final Set<String> QUEUES = Set.of("java.util.concurrent.LinkedBlockingQueue",
                "java.util.concurrent.ArrayBlockingQueue", "java.util.concurrent.LinkedBlockingDeque",
                "java.util.concurrent.SynchronousQueue", "java.util.concurrent.LinkedTransferQueue",
                "java.util.concurrent.PriorityBlockingQueue", "java.util.concurrent.DelayQueue",
                "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue");
        private static final Map<String, String> IDLE_FRAMES = new LinkedHashMap<>();

        static {
            IDLE_FRAMES.put("java.util.concurrent.ThreadPoolExecutor", "getTask");
            IDLE_FRAMES.put("java.util.concurrent.ForkJoinPool", "awaitWork");
            IDLE_FRAMES.put("java.util.TimerThread", "mainLoop");
            IDLE_FRAMES.put("java.lang.ref.ReferenceQueue", "remove");
            IDLE_FRAMES.put("java.lang.ref.Reference", "waitForReferencePendingList");
        }

        private IdleLoops() {
        }

        static boolean systemThread(String name) {
            return name == null || SYSTEM_NAMES.contains(name) || name.startsWith("lockwatch-")
                    || name.startsWith("JFR ") || name.startsWith("RMI ");
        }

        /** Whether a wait without a timeout is a known idle loop: the JDK frames above the application's. */
        static boolean idle(Thread t, ThreadInfo info, StackTraceElement[] stack) {
            if (systemThread(t.getName()) || stack == null || stack.length == 0) {
                return true;
            }
            for (StackTraceElement f : stack) {
                String c = f.getClassName();
                if (!Frames.jdk(c)) {
                    return false;
                }
                String m = f.getMethodName();
                if (QUEUES.contains(c) && (m.startsWith("take") || m.startsWith("poll"))) {
                    return true;
                }
                if (m.equals(IDLE_FRAMES.get(c)) || (c.equals("java.lang.Thread") && (m.startsWith("sleep") || m.equals("join")))) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Whether a thread in a timed wait can do nothing but go on waiting or end: a pool worker's keep-alive
         * wait for work. A scheduled pool with a task due, a timer with a task, a sleep can act: not idle.
         */
        static boolean idleTimed(StackTraceElement[] stack) {
            boolean getTask = false;
            for (StackTraceElement f : stack) {
                String c = f.getClassName();
                String m = f.getMethodName();
                if (c.equals("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue")) {
                    return false; // a scheduled task is due: it will run
                }
                if (c.equals("java.util.concurrent.ThreadPoolExecutor") && m.equals("getTask")) {
                    getTask = true;
                }
                if (c.equals("java.util.concurrent.ForkJoinPool") && m.equals("awaitWork")) {
                    return true;
                }
                if (!Frames.jdk(c)) {
                    break;
                }
            }
            return getTask;
        }
    }
}
