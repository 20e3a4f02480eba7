package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.Cycle;
import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.LongTable;
import dev.lockwatch.agent.graph.PoolState;
import dev.lockwatch.agent.graph.QueuedWait;
import dev.lockwatch.agent.graph.ThreadNode;
import dev.lockwatch.agent.graph.WaitEdge;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.graph.WaitForGraph;
import dev.lockwatch.bootstrap.Permits;
import dev.lockwatch.bootstrap.Registry;
import dev.lockwatch.bootstrap.ThreadRecord;
import dev.lockwatch.bootstrap.Threads;
import dev.lockwatch.agent.jdk.JdkLocks;
import dev.lockwatch.agent.jdk.JdkTasks;
import dev.lockwatch.agent.jdk.JdkThreads;

import java.lang.management.LockInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Copies the live state into a {@link WaitForGraph}. Two sources are combined in one graph:
 * <ul>
 *   <li>the registry: threads inside a contended {@code java.util.concurrent} acquire or a hand-off wait
 *       (including virtual threads), the synchronizer's exclusive owner as the JDK records it, and read holders as
 *       the agent records them and the JDK's read counts confirm;</li>
 *   <li>the JVM: platform threads BLOCKED on a monitor (their states, read from the thread objects, then their
 *       monitor and its owner from {@link ThreadMXBean#getThreadInfo(long[], int)} without a stack, which needs
 *       no safepoint), and, only when it alone can find something, the deadlocks the JVM itself can prove
 *       ({@code findDeadlockedThreads}, a safepoint over all threads): when a thread has been BLOCKED in the same
 *       episode for a whole interval, and in the first checks after an attach (waits that began before it);</li>
 *   <li>the threads that wait for another thread's static initializer, which the JVM shows RUNNABLE
 *       ({@link ClassInitWaits}: a CPU-time read per RUNNABLE thread, more only for threads that stopped moving).</li>
 * </ul>
 * The walk starts from the waiting threads and follows holders, so its work grows with what waits, plus one
 * pass over the platform threads' states.
 */
public final class LiveSampler implements Sampler {
    /** Checks after an attach in which the JVM's own deadlock search runs anyway (waits that began before it). */
    private static final int CHECKS_AFTER_ATTACH = 3;

    private final ThreadMXBean mx;
    private final JdkLocks locks;
    private final JdkTasks tasks;
    private final JdkThreads threads;
    private final Handoffs handoffs;
    /** Waits for another thread's static initializer, or null where the sampler looks for none. */
    private final ClassInitWaits classInit;
    private int attachedChecksLeft;
    /**
     * Whether permit holders are known: only with {@code permits=on}, and not after an attach, when permits taken
     * before it have no recorded taker and the takers the agent saw may not account for them all.
     */
    private final boolean permitsTracked;
    /** Thread id to blocked count, of the threads BLOCKED on a monitor at the previous check. */
    private Map<Long, Long> blockedBefore = new HashMap<>();
    private long jvmSearches;
    /** The last sample's nodes ({@link Walk#nodes}). Watchdog thread. */
    private LongTable<ThreadNode> lastNodes = new LongTable<>(0);

    /** {@code permits}: whether semaphore permit holders are recorded ({@code permits=on}). */
    public LiveSampler(ThreadMXBean mx, JdkLocks locks, JdkTasks tasks, JdkThreads threads, boolean attached, boolean permits) {
        this(mx, locks, tasks, threads, attached, permits, null);
    }

    /** {@code classInit}: finds the waits for another thread's static initializer; null to look for none. */
    LiveSampler(ThreadMXBean mx, JdkLocks locks, JdkTasks tasks, JdkThreads threads, boolean attached, boolean permits,
                ClassInitWaits classInit) {
        this.mx = mx;
        this.classInit = classInit;
        this.locks = locks;
        this.tasks = tasks;
        this.threads = threads;
        this.handoffs = new Handoffs(tasks);
        this.attachedChecksLeft = attached ? CHECKS_AFTER_ATTACH : 0;
        this.permitsTracked = permits && !attached;
    }

    /** How many times the JVM's deadlock search (a safepoint) has run: only when it alone can find something. */
    public long jvmSearches() {
        return jvmSearches;
    }

    @Override
    public Sample sample() {
        List<ThreadRecord> waiting = Registry.waiting();
        Walk walk = new Walk(waiting);
        Deque<Long> todo = walk.todo;
        boolean blockedLong = false;
        Map<Long, Long> blockedNow = new HashMap<>();
        List<Long> blocked = new ArrayList<>();
        List<Thread> runnable = new ArrayList<>();
        Thread self = Thread.currentThread();
        Thread[] platform = threads.all();
        Thread.State[] states = new Thread.State[platform.length];
        for (int i = 0; i < platform.length; i++) {
            Thread t = platform[i];
            Thread.State state = t.getState();
            states[i] = state;
            if (state == Thread.State.BLOCKED) {
                blocked.add(t.getId());
                walk.threads.putIfAbsent(t.getId(), t);
            } else if (state == Thread.State.RUNNABLE && classInit != null && t != self) {
                runnable.add(t);
            }
        }
        if (classInit != null) {
            for (ClassInitWaits.Found f : classInit.find(runnable)) {
                walk.addThread(f.waiter());
                walk.addThread(f.holder());
                walk.graph.edge(f.edge());
            }
        }
        if (!blocked.isEmpty()) {
            long[] ids = new long[blocked.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = blocked.get(i);
            }
            for (ThreadInfo info : mx.getThreadInfo(ids, 0)) { // no stack: no safepoint
                if (info != null && info.getThreadState() == Thread.State.BLOCKED) {
                    walk.infos.put(info.getThreadId(), info);
                    blockedNow.put(info.getThreadId(), info.getBlockedCount());
                    Long before = blockedBefore.get(info.getThreadId());
                    blockedLong |= before != null && before == info.getBlockedCount();
                    todo.add(info.getThreadId());
                }
            }
        }
        blockedBefore = blockedNow;
        if (blockedLong || attachedChecksLeft > 0) {
            attachedChecksLeft = Math.max(0, attachedChecksLeft - 1);
            jvmSearches++;
            long[] jvmDeadlocked = mx.isSynchronizerUsageSupported() ? mx.findDeadlockedThreads() : mx.findMonitorDeadlockedThreads();
            if (jvmDeadlocked != null) {
                for (long id : jvmDeadlocked) {
                    todo.add(id);
                }
            }
        }
        LongTable<Object> visited = new LongTable<>(waiting.size() + todo.size());
        // The registry's waiters first, each read once while its record is at hand: its record and thread are the
        // walk's (the first one put wins), then its edges. The JVM's BLOCKED threads and the holders follow.
        for (ThreadRecord r : waiting) {
            Thread t = r.get();
            if (t != null && r.waitingOn() != null) {
                walk.records.put(r.threadId, r);
                walk.addThread(t);
                if (visited.putIfAbsent(r.threadId, Boolean.TRUE) == null) {
                    walk.follow(walk.edgesOf(r.threadId, r, t));
                }
            }
        }
        while (!todo.isEmpty()) {
            long id = todo.poll();
            if (visited.putIfAbsent(id, Boolean.TRUE) == null) {
                walk.follow(walk.edgesOf(id));
            }
        }
        List<PoolState> pools = new ArrayList<>();
        for (Map.Entry<LockRef, List<Long>> e : walk.pools.entrySet()) {
            Object pool = walk.poolObjects.get(e.getKey());
            boolean canGrow = pool instanceof ThreadPoolExecutor && tasks.canGrow((ThreadPoolExecutor) pool);
            pools.add(new PoolState(e.getKey(), e.getValue(), canGrow));
        }
        WaitForGraph g = walk.graph.build();
        lastNodes = walk.nodes;
        return new Sample(g, walk.threads, walk.records, walk.queued, pools, walk.poolObjects,
                walk.waitingNow(), platform, states);
    }

    /**
     * Two reads in a row, each over every wait of the cycle. One read is not enough: it reads each thread's wait
     * and, one edge later, that thread's holds, so a thread could release between its wait being read (at the end
     * of one wait) and its holds being read. The second read sees every waiter still in the same episode after
     * every hold of the first was read, and a thread's holds cannot change while it stays in one wait.
     */
    @Override
    public boolean confirm(Cycle cycle) {
        return stillThere(cycle) && stillThere(cycle);
    }

    private boolean stillThere(Cycle cycle) {
        Walk walk = new Walk(null);
        walk.permitHoldersCached = false; // each waiter's holders read after its semaphore's state, every time
        for (WaitEdge e : cycle.edges()) {
            ThreadRecord r = Registry.recordOf(e.waiter());
            if (r != null) {
                walk.records.put(e.waiter(), r);
                Thread t = r.get();
                if (t != null) {
                    walk.addThread(t);
                }
            }
        }
        for (WaitEdge e : cycle.edges()) {
            if (e.waitMode() == Mode.CLASS_INIT) {
                if (classInit == null || !classInit.stillFrozen(e)) {
                    return false;
                }
                continue;
            }
            boolean still = false;
            List<WaitEdge> edges = walk.edgesOf(e.waiter());
            for (WaitEdge again : edges) {
                if (again.sameWait(e) && again.holder() == e.holder()) {
                    still = true;
                    break;
                }
            }
            if (!still || !cycle.permitHoldersInside(e, edges)) {
                return false;
            }
        }
        return true;
    }

    /** The state of one walk over the live threads. */
    private final class Walk {
        final WaitForGraph.Builder graph;
        final LongTable<Thread> threads;
        final LongTable<ThreadRecord> records;
        /** Thread ids to walk: the JVM's BLOCKED threads, and the holders the walk finds. */
        final Deque<Long> todo = new ArrayDeque<>();
        /**
         * The threads' nodes, kept for the next sample: a thread that keeps its name keeps its node (a check reads
         * no thread's name string, nor makes a node, for a thread that waited at the last check too).
         */
        final LongTable<ThreadNode> nodes;
        final List<QueuedWait> queued = new ArrayList<>();
        final Map<LockRef, List<Long>> pools = new LinkedHashMap<>();
        final Map<LockRef, Object> poolObjects = new HashMap<>();
        /** The JVM's view of threads BLOCKED on a monitor, read once per walk. */
        final Map<Long, ThreadInfo> infos = new HashMap<>();
        private Map<Object, List<ThreadRecord>> readersBySync;
        private Map<Object, List<ThreadRecord>> writersBySync;
        /** Per semaphore synchronizer: its permit holders, or null when they are not known (see {@link #permitHolders}). */
        private Map<Object, List<ThreadRecord>> holdersBySync;
        /** A sampling walk reads a semaphore's holders once; a confirming one reads them for every waiter. */
        boolean permitHoldersCached = true;
        private List<ThreadRecord> waitingNow;
        final Handoffs.Stages stages = handoffs.stages();

        /** {@code waiting}: the registry's waiting records, if already read (sized for them). */
        Walk(List<ThreadRecord> waiting) {
            waitingNow = waiting;
            int n = waiting == null ? 0 : waiting.size();
            graph = WaitForGraph.builder(n);
            nodes = new LongTable<>(n + 1);
            threads = new LongTable<>(n + 1);
            records = new LongTable<>(n);
        }

        /** One snapshot of the waiting threads per walk, taken when first needed. */
        List<ThreadRecord> waitingNow() {
            if (waitingNow == null) {
                waitingNow = Registry.waiting();
            }
            return waitingNow;
        }

        /**
         * The synchronizer's exclusive owner, asked once for a run of waiters on the same synchronizer (a thousand
         * threads queued on one lock are one question, not a thousand). The walk is a snapshot either way: a cycle
         * is confirmed by a second read ({@link #confirm}).
         */
        private Object ownerSync;
        private Thread owner;
        private LockRef ownerSyncRef;
        /** The thread added last: the holder of a run of waiters is added once for the run. */
        private Thread added;

        Thread ownerOf(Object sync) {
            if (sync != ownerSync) {
                owner = locks.exclusiveOwner(sync);
                ownerSync = sync;
                ownerSyncRef = LockRef.of(sync);
            }
            return owner;
        }

        /** {@code sync} as reports name it: one for a run of waiters on the same synchronizer. */
        LockRef refOf(Object sync) {
            return sync == ownerSync ? ownerSyncRef : LockRef.of(sync);
        }

        void addThread(Thread t) {
            if (t == added) {
                return;
            }
            added = t;
            long id = t.getId();
            if (threads.putIfAbsent(id, t) == null || !graph.hasNode(id)) {
                ThreadNode node = lastNodes.get(id);
                String name = t.getName();
                if (node == null || node.name() != name) { // (an unnamed thread's display name is made anew)
                    node = new ThreadNode(id, Threads.displayName(t), Threads.isVirtual(t));
                }
                nodes.put(id, node);
                graph.node(node);
            }
        }

        /** The holder queued last: the waiters of one lock share their holder, queued once, not once per waiter. */
        private long queuedHolder = -1;

        /** Adds the edges to the graph and queues their holders to be walked. */
        void follow(List<WaitEdge> edges) {
            for (WaitEdge e : edges) {
                graph.edge(e);
                if (e.holder() != queuedHolder) {
                    queuedHolder = e.holder();
                    todo.add(queuedHolder);
                }
            }
        }

        List<WaitEdge> edgesOf(long id) {
            return edgesOf(id, records.get(id), threads.get(id));
        }

        /** {@code r} and {@code t}: the thread's record and thread as the walk knows them (null if it does not). */
        List<WaitEdge> edgesOf(long id, ThreadRecord r, Thread t) {
            Object sync = r == null ? null : r.waitingOn();
            if (sync != null && t != null) {
                List<WaitEdge> edges = registryEdges(r, sync, t);
                // A ForkJoin worker that helps while it joins can be BLOCKED on a monitor in the task it helps.
                return edges.isEmpty() && infos.containsKey(id) ? jvmEdges(id, t) : edges;
            }
            return jvmEdges(id, t);
        }

        private List<WaitEdge> registryEdges(ThreadRecord r, Object sync, Thread waiter) {
            boolean shared = r.waitShared();
            boolean timed = r.waitTimed();
            long episode = r.waitEpoch();
            if (sync != r.waitingOn()) {
                return List.of(); // the wait ended or changed while we looked
            }
            if (r.waitKind() == ThreadRecord.WAIT_HANDOFF) {
                return handoffEdges(r, sync, waiter, timed, episode);
            }
            if (locks.isSemaphore(sync)) {
                return permitEdges(r, sync, timed, episode);
            }
            Mode waitMode = shared ? Mode.READ : Mode.EXCLUSIVE;
            Thread owner = ownerOf(sync);
            LockRef lock = refOf(sync);
            if (owner == waiter) {
                return List.of(); // acquired: the wait ends as soon as the acquire returns
            }
            WaitEdge toOwner = null;
            if (owner != null) {
                addThread(owner);
                toOwner = new WaitEdge(r.threadId, owner.getId(), lock, waitMode, Mode.EXCLUSIVE, timed, episode);
            }
            if (!locks.isReadWrite(sync)) {
                return toOwner == null ? List.of() : List.of(toOwner); // the common case: one edge, no list to grow
            }
            List<WaitEdge> edges = new ArrayList<>(2);
            if (toOwner != null) {
                edges.add(toOwner);
            }
            List<ThreadRecord> readers = shared ? List.of() : readersOf(sync);
            if (!shared) {
                for (ThreadRecord reader : readers) {
                    Thread rt = reader.get();
                    if (rt != null) {
                        addThread(rt);
                        records.putIfAbsent(reader.threadId, reader);
                        edges.add(new WaitEdge(r.threadId, reader.threadId, lock, waitMode, Mode.READ, timed, episode));
                    }
                }
            } else if (owner == null && locks.readHoldsOf(sync, waiter) == 0) {
                // (a read hold of its own: the acquire succeeded and has not returned yet; a read re-entry
                // never waits, so a thread that waits for a read lock holds none of it)
                for (ThreadRecord writer : writersOf(sync)) {
                    Thread wt = writer.get();
                    if (writer != r && wt != null && writer.waitingOn() == sync && !writer.waitShared()) {
                        addThread(wt);
                        records.putIfAbsent(writer.threadId, writer);
                        edges.add(new WaitEdge(r.threadId, writer.threadId, lock, waitMode, Mode.QUEUED, timed, episode));
                    }
                }
            }
            return edges;
        }

        /**
         * An untimed acquire on a semaphore with no permit left: an edge to each live thread that took permits of it
         * and has not released them, when those takers are known to account for its permits ({@link #permitHolders});
         * none otherwise, and none for a timed {@code tryAcquire}, which ends by itself. The waiter is a holder too
         * when it took a permit itself (a thread that asks again for the only permit waits for itself).
         */
        private List<WaitEdge> permitEdges(ThreadRecord r, Object sync, boolean timed, long episode) {
            if (timed || !permitsTracked || locks.permitsAvailable(sync) != 0) {
                return List.of();
            }
            List<ThreadRecord> holders = permitHolders(sync, r);
            if (holders == null || holders.isEmpty()) {
                return List.of();
            }
            LockRef lock = refOf(sync);
            List<WaitEdge> edges = new ArrayList<>(holders.size());
            for (ThreadRecord holder : holders) {
                Thread ht = holder.get();
                if (ht != null) {
                    addThread(ht);
                    records.putIfAbsent(holder.threadId, holder);
                    edges.add(new WaitEdge(r.threadId, holder.threadId, lock, Mode.PERMIT, Mode.PERMIT, false, episode));
                }
            }
            return edges;
        }

        /**
         * The live threads whose records note permits of {@code sync} not released, read after the caller read the
         * semaphore's state; null when they may not be all: the semaphore is uncertain ({@link Permits}), or a
         * thread other than {@code waiter} is inside a try-acquire of it (its take may be counted in the state and
         * not yet in its record).
         */
        private List<ThreadRecord> permitHolders(Object sync, ThreadRecord waiter) {
            if (permitHoldersCached && holdersBySync != null && holdersBySync.containsKey(sync)) {
                return holdersBySync.get(sync);
            }
            List<ThreadRecord> holders = new ArrayList<>(2);
            if (Permits.uncertain(sync)) {
                holders = null;
            } else {
                for (ThreadRecord rec : Registry.listed()) { // read now, after the state: takers listed themselves first
                    Thread t = rec.get();
                    if (t == null || !t.isAlive()) {
                        continue; // an ended taker releases nothing
                    }
                    if (rec != waiter && rec.permitTakingAcquire() == sync) {
                        holders = null;
                        break;
                    }
                    if (rec.permitsOf(sync) > 0) {
                        holders.add(rec);
                    }
                }
            }
            if (permitHoldersCached) {
                if (holdersBySync == null) {
                    holdersBySync = new IdentityHashMap<>();
                }
                holdersBySync.put(sync, holders);
            }
            return holders;
        }

        /**
         * A wait for a future: an edge to the thread running it, or a queued wait on its pool (whose workers are
         * then walked too). A timed hand-off ends by itself: no edge.
         */
        private List<WaitEdge> handoffEdges(ThreadRecord r, Object future, Thread waiter, boolean timed, long episode) {
            if (timed || r.helping()) {
                return List.of(); // ends by itself, or the thread is running another task meanwhile
            }
            Handoffs.Standing standing = handoffs.standing(future, waiter, stages);
            if (!standing.runners().isEmpty()) {
                List<WaitEdge> edges = new ArrayList<>(standing.runners().size());
                for (Thread runner : standing.runners()) {
                    addThread(runner);
                    ThreadRecord rr = Registry.recordOf(runner.getId());
                    if (rr != null) {
                        records.putIfAbsent(runner.getId(), rr);
                    }
                    edges.add(new WaitEdge(r.threadId, runner.getId(), LockRef.of(future), Mode.TASK, Mode.TASK, false, episode));
                }
                return edges;
            }
            if (standing.pool() != null) {
                LockRef pool = LockRef.of(standing.pool());
                queued.add(new QueuedWait(r.threadId, LockRef.of(standing.queuedTask()),
                        handoffs.taskName(standing.queuedTask()), pool, episode));
                addPool(pool, standing.pool());
            }
            return List.of();
        }

        private void addPool(LockRef ref, Object pool) {
            if (pools.containsKey(ref)) {
                return;
            }
            List<Long> workers = new ArrayList<>();
            for (ThreadRecord rec : stages.listed()) {
                Thread t = rec.get();
                if (t != null && t.isAlive() && rec.workerOf() == pool) {
                    workers.add(rec.threadId);
                    records.putIfAbsent(rec.threadId, rec);
                    addThread(t);
                    todo.add(rec.threadId);
                }
            }
            pools.put(ref, workers);
            poolObjects.put(ref, pool);
        }

        /**
         * The threads that hold {@code sync}'s read lock: those whose records note a read hold of it that the JDK's
         * own read count for that thread confirms (a hold released since, even through a call the agent does not
         * see, is dropped). One pass over the listed records per walk, built when a writer first needs it.
         */
        /** The threads waiting for {@code sync}'s write lock right now: one pass over the waiting records per walk. */
        private List<ThreadRecord> writersOf(Object sync) {
            if (writersBySync == null) {
                writersBySync = new IdentityHashMap<>();
                for (ThreadRecord w : waitingNow()) {
                    Object on = w.waitingOn();
                    if (on != null && w.waitKind() == ThreadRecord.WAIT_LOCK && !w.waitShared()) {
                        writersBySync.computeIfAbsent(on, k -> new ArrayList<>()).add(w);
                    }
                }
            }
            return writersBySync.getOrDefault(sync, List.of());
        }

        private List<ThreadRecord> readersOf(Object sync) {
            if (readersBySync == null) {
                readersBySync = new IdentityHashMap<>();
                Object[] held = new Object[ThreadRecord.maxHeld()];
                int[] sites = new int[held.length];
                byte[] modes = new byte[held.length];
                for (ThreadRecord rec : stages.listed()) {
                    Thread t = rec.get();
                    if (t == null || !t.isAlive()) {
                        continue;
                    }
                    int n = rec.copyHolds(held, sites, modes);
                    for (int i = 0; i < n; i++) {
                        if (modes[i] == ThreadRecord.READ && held[i] != null) {
                            Object s = locks.syncOf(held[i]);
                            List<ThreadRecord> list = readersBySync.computeIfAbsent(s, k -> new ArrayList<>());
                            if (!list.contains(rec) && locks.readHoldsOf(s, t) > 0) {
                                list.add(rec);
                            }
                        }
                    }
                    java.util.Arrays.fill(held, null);
                }
            }
            return readersBySync.getOrDefault(sync, List.of());
        }

        /** Monitor waits, and synchronizer waits the agent did not see begin (before it was attached). */
        private List<WaitEdge> jvmEdges(long id, Thread t) {
            if (t != null) {
                Thread.State state = t.getState();
                if (state != Thread.State.BLOCKED && state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
                    return List.of();
                }
            }
            ThreadInfo info = infos.get(id);
            if (info == null) {
                info = mx.getThreadInfo(id); // no stack, no safepoint; null for virtual and dead threads
            }
            if (info == null || info.getLockOwnerId() < 0 || info.getLockInfo() == null) {
                return List.of();
            }
            if (!graph.hasNode(id)) {
                graph.node(new ThreadNode(id, info.getThreadName(), false));
            }
            long ownerId = info.getLockOwnerId();
            if (!graph.hasNode(ownerId)) {
                graph.node(new ThreadNode(ownerId, info.getLockOwnerName(), false));
            }
            LockInfo li = info.getLockInfo();
            LockRef lock = new LockRef(li.getClassName(), li.getIdentityHashCode());
            boolean monitor = info.getThreadState() == Thread.State.BLOCKED;
            Mode mode = monitor ? Mode.MONITOR : Mode.EXCLUSIVE;
            long episode = monitor ? info.getBlockedCount() : info.getWaitedCount();
            boolean timed = info.getThreadState() == Thread.State.TIMED_WAITING;
            return List.of(new WaitEdge(id, ownerId, lock, mode, mode, timed, episode));
        }
    }
}
