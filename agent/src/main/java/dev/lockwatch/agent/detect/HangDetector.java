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
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

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
 *           synchronizer that was never released; the first reader of a read lock a writer waits for; for a
 *           monitor in {@code Object.wait}, a thread that a field of the monitor names: a hand-rolled lock);</li>
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
 * <p>Cost per check: one pass over the platform threads' states and, for those that wait, a {@link Sig} read
 * without the JVM's help. {@code getThreadInfo} without stacks (no safepoint) only for waits seen for the first
 * time (their counts) and for candidates and BLOCKED threads once a candidate exists; stacks (a safepoint) once
 * per wait episode that has lasted {@code hangAfter}, and for the timed waiters when case (c) is asked.
 *
 * <p>Only the watchdog thread calls {@link #find}: the episode map and the list of ended threads are its own.
 */
public final class HangDetector implements Detector, Due {
    private static final int STACK_DEPTH = 64;
    private static final int ENDED_KEPT = 16;

    private final ThreadMXBean mx;
    private final JdkLocks locks;
    private final JdkThreads threads;
    private final Handoffs handoffs;
    private final ReportBuilder reports;
    private final long hangAfterNanos;

    /**
     * Thread id to its current wait episode, as of the last check. Kept from check to check and updated in place
     * (an episode that goes on is one lookup; the ones not seen again are dropped at the end of the pass), so a
     * check costs one lookup per waiting thread, not the building of a new table.
     */
    private Map<Long, Episode> episodes = new HashMap<>();
    /** Thread id to the thread alive at the last check (its name and when it was last seen). */
    private Map<Long, Alive> alive = new HashMap<>();
    /** Counts the checks: what an entry of the two tables above was last seen in. */
    private long pass;
    /**
     * The most entries the two tables have had since they were last rebuilt: a {@code HashMap} never shrinks its
     * table, so once most of its threads have ended a table is copied into one sized for those that remain
     * (nothing kept grows with threads that have ended).
     */
    private int episodesHigh;
    private int aliveHigh;
    /** The last check's list of threads, and each one's entry of {@link #alive} at the same index. */
    private Thread[] lastThreads = new Thread[0];
    private Alive[] lastAlive = new Alive[0];
    /** Application threads that ended recently, newest last. */
    private final Deque<Ended> ended = new ArrayDeque<>();
    /** When the next wait seen at the last check reaches {@code hangAfter} ({@link Due#NONE} if none will). */
    private volatile long dueNanos = Due.NONE;

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

    /**
     * What identifies a wait without asking the JVM for a thread dump: the thread's state and what it waits on,
     * as the registry (the awaited object and its wait epoch), the {@code Object.wait} note, or the park blocker
     * names it. Identity hashes only: nothing is kept alive.
     *
     * @param kind 0 a registry wait, 1 a loop of timed waits on one monitor, 2 a wait only the JVM knows
     */
    record Sig(Thread.State state, int kind, int hash, int epoch) {
        /** The same as {@code equals(new Sig(...))}, without making one: a check asks it of every waiting thread. */
        boolean is(Thread.State state, int kind, int hash, int epoch) {
            return this.state == state && this.kind == kind && this.hash == hash && this.epoch == epoch;
        }
    }

    /** An application thread as the last check saw it. */
    private static final class Alive {
        String name;
        /** A JDK or agent thread ({@link IdleLoops#systemThread}): its end is not noted. */
        boolean system;
        long pass;
        /** Where the last check's list of threads had it. */
        int index = -1;
        /** Its current wait episode, as in {@link #episodes}; null while it does not wait. */
        Episode episode;
        /** Its record as last looked up, and {@link Registry#listings()} then (-1: never looked up). */
        ThreadRecord record;
        long recordAt = -1;
    }

    /** One wait of one thread, followed across checks. */
    static final class Episode {
        final long id;
        final Sig sig;
        final long sinceNanos;
        final long sinceMillis;
        int checks;
        /** The check that last saw it. */
        long pass;
        StackTraceElement[] stack;
        /** Whether the wait is a known idle loop (rule 2), decided once per episode from its stack; null until then. */
        Boolean idle;
        /** The JVM's wait and block counts when the episode was first seen (a wait only the JVM knows), or -1. */
        long waited = -1;
        long blocked = -1;
        /** What it waits for; the awaited object when the registry names it, else null. */
        Object awaited;
        /** The monitor of its {@code Object.wait}, when the call was rewritten and the JVM names the same one. */
        Object monitor;
        /** The JVM's view without a stack, as of the last time it was asked for (null until then). */
        ThreadInfo info;
        ThreadRecord record;
        Thread thread;
        Thread.State state;

        Episode(long id, Sig sig, long sinceNanos, long sinceMillis) {
            this.id = id;
            this.sig = sig;
            this.sinceNanos = sinceNanos;
            this.sinceMillis = sinceMillis;
        }

        boolean timed() {
            return state == Thread.State.TIMED_WAITING;
        }

        /** A wait without a timeout that only the JVM knows: its counts say whether it is still the same one. */
        boolean counted() {
            return sig.kind() == 2 && state != Thread.State.TIMED_WAITING;
        }
    }

    @Override
    public long dueNanos() {
        return dueNanos;
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
        long listings = Registry.listings(); // before the lookups (see Registry.recordOf)
        Set<Object> moved = null; // what a thread stopped waiting for since the last check (see left())
        // The sample's list of threads and their states, read once for the check (a sample made by hand has none)
        boolean listed = sample != null && sample.platform() != null;
        Thread[] all = listed ? sample.platform() : threads.all();
        Thread.State[] states = listed ? sample.states() : null;
        long check = ++pass;
        Map<Long, Episode> now0 = episodes;
        List<Episode> firstSeen = new ArrayList<>();
        // The JVM lists its threads in the same order from check to check (new ones at the end), so the last
        // check's list is followed alongside: a thread found where it was costs no table lookup.
        Thread[] last = lastThreads;
        Alive[] lastOf = lastAlive;
        Alive[] aliveOf = new Alive[all.length];
        int j = 0;
        int seenAlive = 0;
        int seenWaits = 0;
        for (int i = 0; i < all.length; i++) {
            Thread t = all[i];
            // A thread that has just ended can still be in the JVM's list, TERMINATED: it counts as ended now, as
            // it does for quiet(), so that a HANG found at this check can name it among the threads that ended.
            Thread.State s = t == self ? null : states != null ? states[i] : t.getState();
            if (t == self || s == Thread.State.TERMINATED) {
                if (j < last.length && last[j] == t) {
                    j++;
                }
                continue;
            }
            String name = t.getName();
            Alive a;
            if (j < last.length && last[j] == t) {
                a = lastOf[j++];
            } else {
                a = alive.get(t.getId());
                if (a == null) {
                    a = new Alive();
                    alive.put(t.getId(), a);
                } else if (a.index >= 0 && a.index < last.length && last[a.index] == t) {
                    j = a.index + 1; // threads before it have ended: go on from where it was
                }
            }
            aliveOf[i] = a;
            a.index = i;
            seenAlive++;
            if (a.name != name) { // a thread keeps its name: whether it is a JDK or agent thread is decided once
                a.name = name;
                a.system = IdleLoops.systemThread(name);
            }
            a.pass = check;
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED) {
                Episode before = a.episode;
                ThreadRecord record = Registry.recordOf(t, a.record, a.recordAt, listings);
                if (a.record != record) {
                    a.record = record; // (as in episodeOf: no store, no write barrier, when unchanged)
                }
                a.recordAt = listings;
                Episode e = episodeOf(t, record, s, before, now, nowMillis);
                if (e != before) {
                    if (before != null) {
                        moved = left(moved, before);
                    }
                    now0.put(e.id, e);
                    a.episode = e;
                }
                e.pass = check;
                seenWaits++;
                if (e.counted() && e.waited < 0) {
                    firstSeen.add(e);
                }
            } else if (a.episode != null) {
                a.episode = null;
            }
        }
        lastThreads = all;
        lastAlive = aliveOf;
        if (seenAlive != alive.size()) { // else every thread of the last check is still there
            noteEnded(check, nowMillis);
        }
        if (seenWaits != now0.size()) {
            for (Iterator<Episode> it = now0.values().iterator(); it.hasNext(); ) {
                Episode e = it.next();
                if (e.pass != check) { // a wait that ended, or a thread that did
                    moved = left(moved, e);
                    it.remove();
                }
            }
        }
        episodesHigh = Math.max(episodesHigh, now0.size());
        if (shrinks(now0.size(), episodesHigh)) {
            episodes = now0 = new HashMap<>(now0);
            episodesHigh = now0.size();
        }
        aliveHigh = Math.max(aliveHigh, alive.size());
        if (shrinks(alive.size(), aliveHigh)) {
            alive = new HashMap<>(alive);
            aliveHigh = alive.size();
        }
        // The counts of the waits seen for the first time, in one call without stacks (no safepoint). A thread
        // that stays in one wait is asked for once, not at every check.
        infos(firstSeen);
        for (Episode e : firstSeen) {
            if (e.info != null) {
                e.waited = e.info.getWaitedCount();
                e.blocked = e.info.getBlockedCount();
            }
        }

        List<Episode> candidates = new ArrayList<>();
        Handoffs.Stages stages = null;
        // One pass: the episodes that have lasted hangAfter are candidates, and the earliest moment one of the others
        // (not reported nor known idle) will have is when to check next. A wait only the JVM knows is timed from the
        // check that first saw it, so without a check at that moment it would be judged up to one interval late.
        long due = Due.NONE;
        for (Episode e : now0.values()) {
            if (e.idle == Boolean.TRUE || reported.contains(e.id)) {
                continue;
            }
            long at = e.sinceNanos + hangAfterNanos;
            if (at - now > 0) {
                if (due == Due.NONE || at - due < 0) {
                    due = at;
                }
                continue;
            }
            // A lock whose waiters get it one after another moves: one that another waiter left since the last check
            // is not hung, even at an instant when it is between two of them and has no owner.
            if (e.awaited != null && e.record.waitKind() == ThreadRecord.WAIT_LOCK
                    && (moved != null && moved.contains(e.awaited) || liveOwnerOf(e) >= 0)) {
                continue; // behind a live holder: listed with the root of its chain, if that one is stuck
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
        dueNanos = due;
        if (candidates.isEmpty()) {
            return;
        }
        fetchStacks(candidates); // once per episode: an idle worker's stack is read once
        for (Episode e : candidates) {
            if (e.idle == null) {
                e.idle = IdleLoops.idle(e.thread, e.stack);
            }
        }
        candidates.removeIf(e -> e.idle);
        if (candidates.isEmpty()) {
            return;
        }
        // Now the JVM's view of the candidates and of every BLOCKED thread (for who waits behind whom): a
        // candidate whose counts moved since its first sight made progress and starts a new episode.
        List<Episode> ask = new ArrayList<>(candidates);
        for (Episode e : now0.values()) {
            if (e.state == Thread.State.BLOCKED && !ask.contains(e)) {
                ask.add(e);
            }
        }
        infos(ask);
        for (java.util.Iterator<Episode> it = candidates.iterator(); it.hasNext(); ) {
            Episode e = it.next();
            if (e.info == null) {
                it.remove();
            } else if (e.counted() && (e.info.getWaitedCount() != e.waited || e.info.getBlockedCount() != e.blocked)) {
                Episode again = new Episode(e.id, e.sig, now, nowMillis);
                again.waited = e.info.getWaitedCount();
                again.blocked = e.info.getBlockedCount();
                again.checks = 1;
                again.pass = check;
                now0.put(e.id, again);
                Alive a = alive.get(e.id);
                if (a != null) {
                    a.episode = again;
                }
                it.remove();
            } else if (e.monitor != null && !sameMonitor(e.monitor, e.info)) {
                it.remove();
            }
        }
        // Who waits behind whom: a lock (monitor or exclusive synchronizer) held by a live thread.
        Map<Long, Long> waitsFor = new HashMap<>();
        for (Episode e : now0.values()) {
            long owner = liveOwnerOf(e);
            if (owner >= 0 && owner != e.id) {
                waitsFor.put(e.id, owner);
            }
        }
        candidates.removeIf(e -> waitsFor.containsKey(e.id));
        candidates.sort((a, b) -> Long.compare(a.id, b.id));
        Boolean quiet = null;
        // Every waiter of one lock whose owner died is stuck for the same reason: one finding for all of them.
        Map<Object, List<Episode>> byDeadLock = new java.util.IdentityHashMap<>();
        for (Episode root : candidates) {
            long rootId = root.id;
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
                    quiet = quiet(now0, all, self, candidates);
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
                for (Episode b : behind(r.id, waitsFor, now0, reported)) {
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
            ids.add(r.id);
            key.append(' ').append(r.id).append(' ').append(r.sig);
        }
        for (Episode b : behind) {
            ids.add(b.id);
        }
        List<Ended> endedNow = List.copyOf(ended);
        findings.add(new Finding(EventKind.HANG, key.toString(), 1, ids,
                () -> report(roots, behind, deadOwner, why, reason, now, endedNow)));
    }

    /** Threads followed across checks (waiting, and alive), and the capacity their tables were last sized for: tests. */
    int[] tracked() {
        return new int[] {episodes.size(), alive.size(), episodesHigh, aliveHigh};
    }

    /** Whether a table that had {@code high} entries and has {@code size} now is worth copying into a smaller one. */
    static boolean shrinks(int size, int high) {
        return high >= 1024 && size < high / 4;
    }

    /** The application threads alive at the last check and not at this one have ended: noted, and forgotten. */
    private void noteEnded(long check, long nowMillis) {
        for (java.util.Iterator<Map.Entry<Long, Alive>> it = alive.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Alive> e = it.next();
            if (e.getValue().pass != check) {
                it.remove();
                if (!e.getValue().system) {
                    ended.addLast(new Ended(e.getValue().name, e.getKey(), nowMillis));
                    if (ended.size() > ENDED_KEPT) {
                        ended.removeFirst();
                    }
                }
            }
        }
    }

    /** The thread's wait episode: continued from the last check when its signature is the same, else a new one. */
    private Episode episodeOf(Thread thread, ThreadRecord record, Thread.State state, Episode before, long now,
                              long nowMillis) {
        long id = thread.getId();
        Object awaited = record == null ? null : record.waitingOn();
        Object monitor = awaited == null && record != null ? record.monitorWaitOpaque() : null;
        boolean timed = state == Thread.State.TIMED_WAITING;
        Thread.State sigState;
        int kind;
        int hash;
        int sigEpoch = 0;
        int epoch = 0;
        if (awaited != null) {
            // The registry's wait (a contended acquire, a future): its episode, or for a timed one the object alone,
            // so that a loop of tryLock(timeout) on a lock whose owner died stays one episode.
            epoch = record.waitEpoch();
            sigState = timed ? Thread.State.TIMED_WAITING : state;
            kind = 0;
            hash = System.identityHashCode(awaited);
            sigEpoch = timed ? 0 : epoch;
        } else if (monitor != null && state != Thread.State.WAITING) {
            // A loop of wait(timeout) on one monitor, re-entering it in between: one episode while it lasts.
            sigState = Thread.State.TIMED_WAITING;
            kind = 1;
            hash = System.identityHashCode(monitor);
        } else {
            sigState = state;
            kind = 2;
            hash = System.identityHashCode(LockSupport.getBlocker(thread));
        }
        Episode e;
        if (before != null && before.sig.is(sigState, kind, hash, sigEpoch)) {
            e = before;
        } else {
            Sig sig = new Sig(sigState, kind, hash, sigEpoch);
            long since = now;
            long sinceMillis = nowMillis;
            if (awaited != null && !timed && record.waitEpoch() == epoch) {
                long started = record.waitSinceNanos();
                if (started - now <= 0) {
                    since = started;
                    sinceMillis = nowMillis - (now - started) / 1_000_000;
                }
            }
            e = new Episode(id, sig, since, sinceMillis);
        }
        e.checks++;
        if (e.state != state) {
            e.state = state;
        }
        // Stored only when changed: most episodes last many checks, and a reference stored into an old object is
        // a GC write barrier's card to mark and refine, ten thousand a check at ten thousand waiters.
        if (e.record != record) {
            e.record = record;
        }
        if (e.awaited != awaited) {
            e.awaited = awaited;
        }
        if (e.monitor != monitor) {
            e.monitor = monitor;
        }
        if (e.thread != thread) {
            e.thread = thread;
        }
        return e;
    }

    /** Asks the JVM, without stacks (no safepoint), about the episodes' threads: one call; sets each one's info. */
    private void infos(List<Episode> list) {
        if (list.isEmpty()) {
            return;
        }
        long[] ids = new long[list.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = list.get(i).id;
        }
        Map<Long, ThreadInfo> byId = new HashMap<>();
        for (ThreadInfo info : mx.getThreadInfo(ids, 0)) {
            if (info != null) {
                byId.put(info.getThreadId(), info);
            }
        }
        for (Episode e : list) {
            e.info = byId.get(e.id);
        }
    }

    /** Whether the JVM names the noted monitor as the one the thread waits on (the note is a racy read). */
    private static boolean sameMonitor(Object monitor, ThreadInfo info) {
        LockInfo li = info.getLockInfo();
        return li != null && System.identityHashCode(monitor) == li.getIdentityHashCode()
                && monitor.getClass().getName().equals(li.getClassName());
    }

    /**
     * Notes that the wait of {@code ended} is over: what it waited for (a lock, a latch, a future) let a thread go
     * since the last check. Identity, never the application's {@code equals}.
     */
    private static Set<Object> left(Set<Object> moved, Episode ended) {
        if (ended.awaited == null) {
            return moved;
        }
        Set<Object> set = moved != null ? moved : Collections.newSetFromMap(new IdentityHashMap<>());
        set.add(ended.awaited);
        return set;
    }

    /** The id of the live thread that holds what the episode waits for, or -1. */
    private long liveOwnerOf(Episode e) {
        Object sync = e.awaited != null && e.record.waitKind() == ThreadRecord.WAIT_LOCK ? e.awaited
                : e.awaited == null ? LockSupport.getBlocker(e.thread) : null;
        if (sync != null) {
            Thread owner = locks.exclusiveOwner(sync);
            return owner != null && owner.isAlive() ? owner.getId() : -1;
        }
        if (e.state == Thread.State.BLOCKED && e.info != null) {
            return e.info.getLockOwnerId();
        }
        return -1;
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
        behind.sort((a, b) -> Long.compare(a.id, b.id));
        return behind;
    }

    /**
     * Case (c): no thread other than the candidates could end a wait. A thread that runs (outside JDK and agent
     * threads) or waits with a timeout outside an idle pool could act, so it makes the answer no.
     */
    private boolean quiet(Map<Long, Episode> waiting, Thread[] all, Thread self, List<Episode> candidates) {
        List<Episode> timed = new ArrayList<>();
        for (Thread t : all) {
            if (t == self || IdleLoops.systemThread(t.getName())) {
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
                need.add(e.id);
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
                e.stack = stacks.getOrDefault(e.id, new StackTraceElement[0]);
            }
        }
    }

    // ---- the report -------------------------------------------------------------------------------------------

    private HangReport report(List<Episode> roots, List<Episode> behind, Thread deadOwner, String why, String reason,
                              long checkNanos, List<Ended> endedNow) {
        List<Long> ids = new ArrayList<>();
        for (Episode r : roots) {
            ids.add(r.id);
        }
        for (Episode b : behind) {
            ids.add(b.id);
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
            rootNames.put(root.id, Threads.displayName(root.thread));
            ThreadInfo ri = full.getOrDefault(root.id, root.info);
            ThreadReport rootReport = describe(root, ri, null);
            LockRef awaited = awaitedRef(root, ri);
            String kind = WaitKinds.of(root, ri, awaited.className());
            List<HangReport.Waker> wakers = new ArrayList<>();
            String unknown = wakers(root, deadOwner, endedNow, wakers);
            parts.add(kind + " " + Fingerprint.stableClassName(awaited.className()) + " waited at "
                    + rootReport.applicationFrame());
            stuck.add(new HangReport.Stuck(rootReport, awaited.key(), kind, root.sinceMillis,
                    (checkNanos - root.sinceNanos) / 1_000_000, why, wakers, unknown));
        }
        List<ThreadReport> behindReports = new ArrayList<>();
        for (Episode b : behind) {
            ThreadInfo bi = full.getOrDefault(b.id, b.info);
            long holder = liveOwnerOf(b);
            String holderName = rootNames.containsKey(holder) ? rootNames.get(holder) : String.valueOf(bi.getLockOwnerName());
            LockRef lock = awaitedRef(b, bi);
            Mode mode = b.state == Thread.State.BLOCKED ? Mode.MONITOR : Mode.EXCLUSIVE;
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
    private static LockRef awaitedRef(Episode e, ThreadInfo info) {
        if (e.awaited != null) {
            return LockRef.of(e.awaited);
        }
        LockInfo li = info == null ? null : info.getLockInfo();
        return li == null ? new LockRef("(nothing the JVM names)", 0) : new LockRef(li.getClassName(), li.getIdentityHashCode());
    }

    /** Names the kind of a wait from the awaited object's class and the thread's state. */
    static final class WaitKinds {
        private WaitKinds() {
        }

        static String of(Episode e, ThreadInfo info, String className) {
            if (e.state == Thread.State.BLOCKED) {
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
            if (e.awaited == null && info != null && info.getLockInfo() != null && inObjectWait(e.stack)) {
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
        static boolean idle(Thread t, StackTraceElement[] stack) {
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
