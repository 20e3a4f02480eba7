package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.CycleRules;
import dev.lockwatch.agent.graph.LockMode;
import dev.lockwatch.agent.graph.LockNodes;
import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.Occurrence;
import dev.lockwatch.agent.graph.OrderEdge;
import dev.lockwatch.agent.graph.OrderGraph;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.jdk.JdkLocks;
import dev.lockwatch.agent.report.EventKind;
import dev.lockwatch.agent.report.Fingerprint;
import dev.lockwatch.agent.report.Frames;
import dev.lockwatch.agent.report.LockOrderReport;
import dev.lockwatch.agent.report.TextEncoder;
import dev.lockwatch.agent.sites.SiteTable;
import dev.lockwatch.bootstrap.LockOrders;
import dev.lockwatch.bootstrap.ThreadRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * LOCK_ORDER: keeps the graph of lock orders the application threads noted ({@link LockOrders}) and reports each
 * cycle that could deadlock, once per distinct cycle of acquisition sites, at the check that follows the order
 * that closed it, or sooner: an order arriving in an empty queue wakes the watchdog ({@link Prompt}).
 *
 * <p>Nodes are lock instances (a read-write lock's two halves are one node, its synchronizer), held weakly
 * ({@link LockNodes}): two threads that take the same two locks in opposite orders close a cycle, the same code
 * running on other instances in a consistent order does not. A cycle is not reported when {@link CycleRules} says
 * it cannot deadlock: every order of it was only ever taken under one common lock held exclusively (a gate), its
 * orders cannot be given to distinct threads (one thread alone took them), or it is made of read locks of
 * read-write locks never write-locked. Orders whose inner acquisition was an untimed {@code tryLock()} are never
 * recorded; a timed {@code tryLock(t)} is, and the report says the deadlock would end with a failed tryLock.
 *
 * <p>The graph is bounded ({@value #MAX_LOCKS} locks, {@value #MAX_ORDERS} orders, about 40 MB at the bound); at
 * the bound one line says so and the quarter of the locks used longest ago leave it, with their orders. Watchdog
 * thread only.
 */
public final class LockOrderDetector implements Detector, Prompt {
    static final int MAX_LOCKS = 65_536;
    static final int MAX_ORDERS = 131_072;
    private static final int MAX_CYCLES = 8;
    private static final int MAX_LENGTH = 8;
    private static final int MAX_PER_CHECK = 200_000;

    private final JdkLocks locks;
    private final SiteTable sites;
    private final OrderGraph graph;
    private final LockNodes nodes = new LockNodes();
    /** The graph across runs, or null without {@code lockOrderFile}. */
    private final KeyOrders keyOrders;
    private final int maxLocks;
    private final int maxOrders;
    /** Stacks by pair of sites (held, taken) and thread: taken the first time that thread took the pair. */
    private final Map<StackKey, StackTraceElement[]> stacks = new HashMap<>();
    private final Set<String> reported = new HashSet<>();
    private final List<Finding> pending = new ArrayList<>();
    private final List<String> notices = new ArrayList<>();
    private boolean fullSaid;
    private boolean droppedSaid;
    private boolean watching;
    /** Orders added to the graph in this run; written by the watchdog alone, read by the stop line and the MBean. */
    private volatile long added;

    public LockOrderDetector(JdkLocks locks, SiteTable sites) {
        this(locks, sites, null, null, MAX_LOCKS, MAX_ORDERS);
    }

    /** With {@code file} (or null): the lock orders of earlier runs, read now, and this run's merged at exit. */
    public LockOrderDetector(JdkLocks locks, SiteTable sites, LockOrderFile file, String run) {
        this(locks, sites, file, run, MAX_LOCKS, MAX_ORDERS);
    }

    LockOrderDetector(JdkLocks locks, SiteTable sites, LockOrderFile file, String run, int maxLocks, int maxOrders) {
        this.locks = locks;
        this.sites = sites;
        this.keyOrders = file == null ? null : new KeyOrders(file, run, notices);
        this.graph = new OrderGraph(maxLocks, maxOrders);
        this.maxLocks = maxLocks;
        this.maxOrders = maxOrders;
    }

    /**
     * Distinct orders recorded in this run ({@code status}, the stop line, the MBean): every order the graph took,
     * including those that left it since with their collected or evicted locks, so a healthy program that used
     * 100,000 short-lived locks does not end with "0 recorded". An order that left and came back counts twice.
     */
    public long orders() {
        return added;
    }

    /** Orders in the graph now: at most the bound, fewer once locks are collected. */
    public long ordersNow() {
        return graph.edgeCount();
    }

    /** What the first occurrence of an order saw: its sites, thread, time and (for a new pair of sites) stack. */
    private record Seen(LockRef held, Mode heldMode, String heldSite, LockRef taken, Mode takenMode, String takenSite,
                        int heldSiteId, int takenSiteId, long threadId, String thread, long millis) {
        String heldText() {
            return TextEncoder.describe(held.key(), heldMode);
        }

        String takenText() {
            return TextEncoder.describe(taken.key(), takenMode);
        }
    }

    @Override
    public boolean due() {
        if (!watching) {
            watching = true;
            LockOrders.watcher(Thread.currentThread());
        }
        return LockOrders.pending();
    }

    @Override
    public void find(Sample sample, List<Finding> findings) {
        for (int id : nodes.collected()) {
            graph.removeNode(id);
        }
        drain(findings);
    }

    @Override
    public void findNow(List<Finding> findings) {
        drain(findings);
    }

    /** Lines for the log (the graph reached its bound): taken by the watchdog's sink. */
    public List<String> notices() {
        List<String> n = new ArrayList<>(notices);
        notices.clear();
        return n;
    }

    private void drain(List<Finding> findings) {
        LockOrders.Order o;
        for (int i = 0; i < MAX_PER_CHECK && (o = LockOrders.poll()) != null; i++) {
            try {
                add(o);
            } catch (RuntimeException e) {
                // an order whose locks changed under our feet: dropped, the next occurrence of the chain comes again
            }
        }
        long dropped = LockOrders.dropped();
        if (dropped > 0 && !droppedSaid) {
            droppedSaid = true;
            notices.add("the application took new lock orders faster than the watchdog could check them (more than "
                    + LockOrders.MAX_QUEUED + " waiting): " + dropped + " were not checked when first taken; each is"
                    + " checked the next time a thread takes it again; the application is not affected");
        }
        findings.addAll(pending);
        pending.clear();
    }

    private void add(LockOrders.Order o) {
        Object taken = o.taken.get();
        if (taken == null) {
            return; // collected before the watchdog read it: its orders go away anyway
        }
        Object takenSync = locks.syncOf(taken);
        int to = nodes.idOf(takenSync);
        if (taken instanceof ReentrantReadWriteLock.WriteLock) {
            graph.markWriteLocked(to);
        }
        int n = o.held.length;
        Object[] held = new Object[n];
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            held[i] = o.held[i].get();
            ids[i] = held[i] == null ? 0 : nodes.idOf(locks.syncOf(held[i]));
            if (held[i] instanceof ReentrantReadWriteLock.WriteLock) {
                graph.markWriteLocked(ids[i]);
            }
        }
        if (nodes.size() > maxLocks) {
            makeRoom(); // locks with ids but no orders yet count too: the ids table has the graph's bound
        }
        if (o.stack != null) {
            for (int i = 0; i < n; i++) { // one stack for the orders of every held lock to this one
                stacks.putIfAbsent(new StackKey(o.heldSites[i], o.takenSite, o.threadId), o.stack);
            }
        }
        LockMode toMode = mode(taken, o.takenMode);
        LockRef takenRef = ref(taken, o.takenMode);
        String takenKey = keyOrders == null ? null : KeyOrders.nodeKey(sites.keyOf(o.takenSite));
        if (takenKey != null && taken instanceof ReentrantReadWriteLock.WriteLock) {
            keyOrders.writeLocked(takenKey);
        }
        for (int i = 0; i < n; i++) {
            if (held[i] == null || ids[i] == to) {
                continue;
            }
            int[] gates = new int[n];
            int g = 0;
            for (int j = 0; j < n; j++) {
                if (j != i && held[j] != null && o.heldModes[j] != ThreadRecord.READ && ids[j] != to) {
                    gates[g++] = ids[j];
                }
            }
            Seen seen = new Seen(ref(held[i], o.heldModes[i]), waitMode(o.heldModes[i]), sites.describe(o.heldSites[i]),
                    takenRef, waitMode(o.takenMode), sites.describe(o.takenSite), o.heldSites[i], o.takenSite,
                    o.threadId, o.threadName, o.millis);
            Occurrence occurrence = new Occurrence(o.threadId, java.util.Arrays.copyOf(gates, g), o.timed(),
                    mode(held[i], o.heldModes[i]), toMode, seen);
            if (takenKey != null) {
                acrossRuns(o, i, held, ids, to, takenKey, toMode);
            }
            OrderGraph.Change c = graph.add(ids[i], to, occurrence);
            if (c == OrderGraph.Change.FULL) {
                makeRoom();
                c = graph.add(ids[i], to, occurrence);
            }
            if (c == OrderGraph.Change.NEW) {
                added++;
            }
            if ((c == OrderGraph.Change.NEW || c == OrderGraph.Change.WIDENED) && graph.onCycle(ids[i], to)) {
                for (List<OrderEdge> cycle : graph.cyclesThrough(ids[i], to, MAX_CYCLES, MAX_LENGTH)) {
                    if (CycleRules.why(cycle, graph) == null) {
                        report(cycle);
                    }
                }
            }
        }
    }

    /**
     * The graph is at its bound: the quarter of the locks used longest ago leave it with their orders (collection
     * alone would wait for a garbage collection); the locks of the order being added were used last, so they stay.
     * Said once.
     */
    private void makeRoom() {
        if (!fullSaid) {
            fullSaid = true;
            notices.add("the lock-order graph reached its bound (" + maxLocks + " locks or " + maxOrders + " orders): the"
                    + " locks used longest ago leave it with their orders, a quarter at a time, so an inversion whose first"
                    + " half was taken only on those locks is not found; the application is not affected");
        }
        for (int id : nodes.evictOldest(Math.max(1, nodes.size() / 4))) {
            graph.removeNode(id);
        }
    }

    /** The order of held lock {@code i} to the taken one, between locks named the same in every run. */
    private void acrossRuns(LockOrders.Order o, int i, Object[] held, int[] ids, int to, String takenKey, LockMode toMode) {
        String heldKey = KeyOrders.nodeKey(sites.keyOf(o.heldSites[i]));
        String heldSite = sites.describe(o.heldSites[i]);
        String takenSite = sites.describe(o.takenSite);
        if (heldKey == null || heldKey.equals(takenKey) || heldSite == null || takenSite == null) {
            return;
        }
        Set<String> gates = new java.util.LinkedHashSet<>();
        for (int j = 0; j < held.length; j++) {
            if (j != i && held[j] != null && o.heldModes[j] != ThreadRecord.READ && ids[j] != to) {
                String gate = KeyOrders.nodeKey(sites.keyOf(o.heldSites[j]));
                if (gate != null) {
                    gates.add(gate); // an unnamed gate guards nothing across runs
                }
            }
        }
        LockOrderFile.KeyOrder order = new LockOrderFile.KeyOrder(heldKey, heldSite, mode(held[i], o.heldModes[i]),
                takenKey, takenSite, toMode, o.timed(), gates, o.threadName, o.millis, null);
        for (List<OrderEdge> cycle : keyOrders.taken(order, o.heldSites[i], o.takenSite, o.threadId)) {
            List<String> parts = new ArrayList<>();
            List<LockOrderReport.Order> orders = new ArrayList<>();
            Set<Long> threads = new HashSet<>();
            for (OrderEdge e : cycle) {
                KeyOrders.Seen s = (KeyOrders.Seen) e.payload();
                LockOrderFile.KeyOrder k = s.order();
                if (k.run() != null && k.heldKey().equals(heldKey) && k.takenKey().equals(takenKey)) {
                    // the order that closed the cycle was first taken in an earlier run, and now in this one:
                    // tell it as this run's, with the stack this run has
                    k = order;
                    s = new KeyOrders.Seen(order, o.heldSites[i], o.takenSite, o.threadId);
                    threads.add(o.threadId);
                }
                parts.add(k.heldSite() + " -> " + k.takenSite() + " " + e.fromModes() + e.toModes());
                StackTraceElement[] stack = k.run() != null ? null
                        : stacks.get(new StackKey(s.heldSiteId(), s.takenSiteId(), s.threadId()));
                orders.add(new LockOrderReport.Order(KeyOrders.describe(k.heldKey(), k.heldMode()), k.heldSite(),
                        KeyOrders.describe(k.takenKey(), k.takenMode()), k.takenSite(), e.timed(), k.thread(), k.millis(),
                        stack == null ? List.of() : Frames.withoutAgent(stack), k.run()));
                for (long t : e.threads()) {
                    if (t >= 0) {
                        threads.add(t); // earlier runs' threads are not this JVM's
                    }
                }
            }
            publish(parts, orders, threads, CycleRules.timed(cycle));
        }
    }

    private void report(List<OrderEdge> cycle) {
        List<String> parts = new ArrayList<>();
        List<LockOrderReport.Order> orders = new ArrayList<>();
        Set<Long> threads = new HashSet<>();
        for (OrderEdge e : cycle) {
            Seen s = (Seen) e.payload();
            parts.add(s.heldSite() + " -> " + s.takenSite() + " " + e.fromModes() + e.toModes());
            StackTraceElement[] stack = stacks.get(new StackKey(s.heldSiteId(), s.takenSiteId(), s.threadId()));
            orders.add(new LockOrderReport.Order(s.heldText(), s.heldSite(), s.takenText(), s.takenSite(), e.timed(), s.thread(),
                    s.millis(), stack == null ? List.of() : Frames.withoutAgent(stack), null));
            for (long t : e.threads()) {
                threads.add(t);
            }
        }
        publish(parts, orders, threads, CycleRules.timed(cycle));
    }

    /**
     * One report per distinct cycle of sites (the fingerprint): the same inversion on other lock instances, or
     * found again across runs, is not reported twice.
     */
    private void publish(List<String> parts, List<LockOrderReport.Order> orders, Set<Long> threads, boolean timed) {
        String fingerprint = Fingerprint.of(parts);
        if (!reported.add(fingerprint)) {
            return;
        }
        int first = 0; // the cycle told from its oldest order: the one a reader met first
        for (int i = 1; i < orders.size(); i++) {
            if (orders.get(i).firstMillis() < orders.get(first).firstMillis()) {
                first = i;
            }
        }
        java.util.Collections.rotate(orders, -first);
        LockOrderReport report = new LockOrderReport(fingerprint, timed, orders);
        pending.add(new Finding(EventKind.LOCK_ORDER, fingerprint, 1, threads, () -> report));
    }

    /**
     * At exit, after the watchdog's last check ({@code lockOrderFile}): this run's orders between named locks are
     * merged into the file. Returns the line to log, or null when there is no file or nothing to add.
     */
    public String saveOrders() {
        return keyOrders == null ? null : keyOrders.save();
    }

    private record StackKey(int heldSite, int takenSite, long threadId) {
    }

    private static LockMode mode(Object lock, byte mode) {
        if (mode == ThreadRecord.MONITOR) {
            return LockMode.MONITOR;
        }
        if (mode == ThreadRecord.READ) {
            return LockMode.READ;
        }
        return lock instanceof ReentrantReadWriteLock.WriteLock ? LockMode.WRITE : LockMode.EXCLUSIVE;
    }

    /** A lock as the report will name it (its class and identity hash: no reference to it). */
    private LockRef ref(Object lock, byte mode) {
        return LockRef.of(mode == ThreadRecord.MONITOR ? lock : locks.syncOf(lock));
    }

    private static Mode waitMode(byte mode) {
        return mode == ThreadRecord.MONITOR ? Mode.MONITOR : mode == ThreadRecord.READ ? Mode.READ : Mode.EXCLUSIVE;
    }
}
