package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.Cycle;
import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.PoolState;
import dev.lockwatch.agent.graph.QueuedWait;
import dev.lockwatch.agent.graph.ThreadNode;
import dev.lockwatch.agent.graph.WaitEdge;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.graph.WaitForGraph;
import dev.lockwatch.bootstrap.Registry;
import dev.lockwatch.bootstrap.ThreadRecord;
import dev.lockwatch.bootstrap.Threads;

import java.lang.management.LockInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Copies the live state into a {@link WaitForGraph}. Two sources are combined in one graph:
 * <ul>
 *   <li>the registry: threads inside a contended {@code java.util.concurrent} acquire (including virtual
 *       threads), the synchronizer's exclusive owner as the JDK records it, and read holders as the agent
 *       records them;</li>
 *   <li>the JVM ({@link ThreadMXBean}): threads BLOCKED on a monitor and its owner, and every deadlock the JVM
 *       itself can prove ({@code findDeadlockedThreads}), which also covers locks taken before the agent
 *       started.</li>
 * </ul>
 * The walk starts from the waiting threads and follows holders, so its work grows with what waits, plus one
 * JVM deadlock query per tick.
 */
public final class GraphSampler {
    private final ThreadMXBean mx;
    private final JdkLocks locks;
    private final Handoffs handoffs;

    public GraphSampler(ThreadMXBean mx, JdkLocks locks, Handoffs handoffs) {
        this.mx = mx;
        this.locks = locks;
        this.handoffs = handoffs;
    }

    public Sample sample() {
        Walk walk = new Walk();
        Deque<Long> todo = walk.todo;
        for (ThreadRecord r : walk.waitingNow()) {
            Thread t = r.get();
            if (t != null && r.waitingOn() != null) {
                walk.records.put(r.threadId, r);
                walk.addThread(t);
                todo.add(r.threadId);
            }
        }
        long[] jvmDeadlocked = mx.isSynchronizerUsageSupported() ? mx.findDeadlockedThreads() : mx.findMonitorDeadlockedThreads();
        if (jvmDeadlocked != null) {
            for (long id : jvmDeadlocked) {
                todo.add(id);
            }
        }
        Set<Long> visited = new HashSet<>();
        while (!todo.isEmpty()) {
            long id = todo.poll();
            if (!visited.add(id)) {
                continue;
            }
            for (WaitEdge e : walk.edgesOf(id)) {
                walk.graph.edge(e);
                todo.add(e.holder());
            }
        }
        List<PoolState> pools = new ArrayList<>();
        walk.pools.forEach((ref, workers) -> pools.add(new PoolState(ref, workers)));
        return new Sample(walk.graph.build(), walk.threads, walk.records, walk.queued, pools, walk.poolObjects);
    }

    /**
     * Reads every wait of the cycle again. A cycle is confirmed when each waiter is still in the same wait
     * episode and still waits for the same holder: the threads then all waited at once, and none of them could
     * have released anything in between. This rules out cycles stitched together from reads taken at
     * different moments.
     */
    public boolean confirm(Cycle cycle) {
        Walk walk = new Walk();
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
            boolean still = false;
            for (WaitEdge again : walk.edgesOf(e.waiter())) {
                if (again.sameWait(e) && again.holder() == e.holder()) {
                    still = true;
                    break;
                }
            }
            if (!still) {
                return false;
            }
        }
        return true;
    }

    /** The state of one walk over the live threads. */
    private final class Walk {
        final WaitForGraph.Builder graph = WaitForGraph.builder();
        final Map<Long, Thread> threads = new HashMap<>();
        final Map<Long, ThreadRecord> records = new HashMap<>();
        final Deque<Long> todo = new ArrayDeque<>();
        final List<QueuedWait> queued = new ArrayList<>();
        final Map<LockRef, List<Long>> pools = new LinkedHashMap<>();
        final Map<LockRef, Object> poolObjects = new HashMap<>();
        private Map<Object, List<ThreadRecord>> readersBySync;
        private List<ThreadRecord> waitingNow;
        final Handoffs.Stages stages = handoffs.stages();

        /** One snapshot of the waiting threads per walk, taken when first needed. */
        List<ThreadRecord> waitingNow() {
            if (waitingNow == null) {
                waitingNow = Registry.waiting();
            }
            return waitingNow;
        }

        void addThread(Thread t) {
            threads.putIfAbsent(t.getId(), t);
            graph.node(new ThreadNode(t.getId(), Threads.displayName(t), Threads.isVirtual(t)));
        }

        List<WaitEdge> edgesOf(long id) {
            ThreadRecord r = records.get(id);
            Object sync = r == null ? null : r.waitingOn();
            Thread t = threads.get(id);
            if (sync != null && t != null) {
                return registryEdges(r, sync, t);
            }
            return jvmEdges(id, t);
        }

        private List<WaitEdge> registryEdges(ThreadRecord r, Object sync, Thread waiter) {
            List<WaitEdge> edges = new ArrayList<>();
            LockRef lock = LockRef.of(sync);
            boolean shared = r.waitShared();
            boolean timed = r.waitTimed();
            long episode = r.waitEpoch();
            if (sync != r.waitingOn()) {
                return edges; // the wait ended or changed while we looked
            }
            if (r.waitKind() == ThreadRecord.WAIT_HANDOFF) {
                return handoffEdges(r, sync, waiter, timed, episode);
            }
            Mode waitMode = shared ? Mode.READ : Mode.EXCLUSIVE;
            Thread owner = locks.exclusiveOwner(sync);
            if (owner != null && owner != waiter) {
                addThread(owner);
                edges.add(new WaitEdge(r.threadId, owner.getId(), lock, waitMode, Mode.EXCLUSIVE, timed, episode));
            }
            if (locks.isReadWrite(sync)) {
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
                } else if (owner == null) {
                    for (ThreadRecord writer : waitingNow()) {
                        Thread wt = writer.get();
                        if (writer != r && wt != null && writer.waitingOn() == sync && !writer.waitShared()) {
                            addThread(wt);
                            records.putIfAbsent(writer.threadId, writer);
                            edges.add(new WaitEdge(r.threadId, writer.threadId, lock, waitMode, Mode.QUEUED, timed, episode));
                        }
                    }
                }
            }
            return edges;
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
            if (standing.runner() != null) {
                Thread runner = standing.runner();
                addThread(runner);
                ThreadRecord rr = Registry.recordOf(runner.getId());
                if (rr != null) {
                    records.putIfAbsent(runner.getId(), rr);
                }
                return List.of(new WaitEdge(r.threadId, runner.getId(), LockRef.of(future), Mode.TASK, Mode.TASK, false, episode));
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
            for (ThreadRecord rec : Registry.listed()) {
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
        private List<ThreadRecord> readersOf(Object sync) {
            if (readersBySync == null) {
                readersBySync = new IdentityHashMap<>();
                Object[] held = new Object[ThreadRecord.maxHeld()];
                int[] sites = new int[held.length];
                byte[] modes = new byte[held.length];
                for (ThreadRecord rec : Registry.listed()) {
                    Thread t = rec.get();
                    if (t == null || !t.isAlive()) {
                        continue;
                    }
                    int n = rec.copyHolds(held, sites, modes);
                    for (int i = 0; i < n; i++) {
                        if (modes[i] == ThreadRecord.READ && held[i] != null) {
                            Object s = locks.syncOf(held[i]);
                            List<ThreadRecord> list = readersBySync.get(s);
                            if (list == null) {
                                list = new ArrayList<>();
                                readersBySync.put(s, list);
                            }
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
            ThreadInfo info = mx.getThreadInfo(id); // null for virtual and dead threads
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
