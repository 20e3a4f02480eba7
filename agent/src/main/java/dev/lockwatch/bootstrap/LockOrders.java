package dev.lockwatch.bootstrap;

import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The application-thread half of {@code LOCK_ORDER} ({@code lockOrder=on}): when a thread takes a lock while it
 * holds others, the order is noted, and handed to the watchdog, which keeps the lock-order graph and looks for
 * cycles.
 *
 * <p>Cost, by case (lockdep's chain cache is the shape):
 * <ul>
 *   <li>a lock taken while holding nothing: nothing (one field read), except the first time a thread write-locks a
 *       read-write lock (the graph must know it was ever write-locked);</li>
 *   <li>a lock taken while holding others: the held entries are checked against the JDK (the thread's record is
 *       exact only for what the JDK confirms), and the chain of held locks plus this one is hashed by identity and
 *       looked up in the thread's own cache of chains seen before: an order seen before costs that and no more;</li>
 *   <li>a chain the thread has not taken before (the slow path, once per chain and thread): an {@link Order} goes
 *       into a bounded queue, and the watchdog is woken if the queue was empty. The stack is taken only the first
 *       time the thread takes a pair of sites (held lock's site, this lock's site).</li>
 * </ul>
 * Re-entering a held lock records no order; an untimed {@code tryLock()} records none either (it never waits),
 * but the lock counts as held for what is taken under it. Orders refer to their locks weakly: the queue never
 * keeps a lock alive, and an order whose lock was collected before the watchdog read it is dropped.
 *
 * <p>Monitors ({@code synchronized}) are recorded only in this mode: the rewritten {@code monitorenter} pushes the
 * monitor and {@code monitorexit} pops it. Before {@code monitorenter} the object's identity hash is taken while
 * it is not locked yet, so that hashing it later never inflates its monitor.
 */
public final class LockOrders {
    /** {@code lockOrder=on}: set once by the agent at start, before any rewritten class runs. */
    static volatile boolean enabled;
    public static final int MAX_QUEUED = 65_536;
    private static final int CACHE = 64;
    /**
     * Pairs of sites, per thread, whose stack was taken: bounded (about 10 MB of frames at most), then no more stacks
     * are taken and reports say the stack is not available.
     */
    private static final int MAX_STACKS = 4_096;
    /** Frames kept of a stack, innermost first: enough for a report. */
    private static final int MAX_FRAMES = 48;

    private static final ConcurrentLinkedQueue<Order> QUEUE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger QUEUED = new AtomicInteger();
    private static final AtomicLong DROPPED = new AtomicLong();
    private static final ConcurrentHashMap<Long, Boolean> SITE_PAIRS = new ConcurrentHashMap<>();
    private static volatile Thread watcher;

    private LockOrders() {
    }

    public static void enable(boolean on) {
        enabled = on;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** The watchdog's thread: woken when an order arrives in an empty queue, so a cycle is reported at once. */
    public static void watcher(Thread thread) {
        watcher = thread;
    }

    /**
     * New chains that did not fit in the queue (the watchdog was behind by {@value #MAX_QUEUED}); each is offered
     * again the next time a thread takes it.
     */
    public static long dropped() {
        return DROPPED.get();
    }

    /** Orders waiting for the watchdog. */
    public static boolean pending() {
        return QUEUED.get() > 0;
    }

    /** The watchdog takes the next order, or null. */
    public static Order poll() {
        Order o = QUEUE.poll();
        if (o != null) {
            QUEUED.decrementAndGet();
        }
        return o;
    }

    /**
     * One chain a thread took for the first time: the locks it held (innermost last) and the one it then took.
     * Plain data, made on the application thread; the locks weakly.
     */
    public static final class Order {
        public final long threadId;
        public final String threadName;
        public final long millis;
        public final WeakReference<Object>[] held;
        public final byte[] heldModes;
        public final int[] heldSites;
        public final WeakReference<Object> taken;
        public final byte takenMode;
        public final int takenSite;
        /** {@code CallSites.TIMED} when taken by a {@code tryLock} with a timeout. */
        public final byte how;
        /** The stack, innermost first, or null when this thread took the pair of sites before. */
        public final StackTraceElement[] stack;

        Order(long threadId, String threadName, WeakReference<Object>[] held, byte[] heldModes, int[] heldSites,
              Object taken, byte takenMode, int takenSite, byte how, StackTraceElement[] stack) {
            this.threadId = threadId;
            this.threadName = threadName;
            this.millis = System.currentTimeMillis();
            this.held = held;
            this.heldModes = heldModes;
            this.heldSites = heldSites;
            this.taken = new WeakReference<>(taken);
            this.takenMode = takenMode;
            this.takenSite = takenSite;
            this.how = how;
            this.stack = stack;
        }

        public boolean timed() {
            return how == CallSites.TIMED;
        }
    }

    /**
     * The calling thread, whose record {@code r} has not noted {@code lock} yet, has just taken it. Called only when
     * lock-order checking is on and the thread holds something (or write-locks a read-write lock).
     */
    static void taken(ThreadRecord r, Object lock, int site, byte mode, byte how) {
        r.suppressed++; // the queue, the maps and the stack walk take no application lock, but stay unrecorded
        try {
            if (reentered(lock, mode)) {
                return;
            }
            Object[] held = r.orderScratch();
            int[] sites = r.orderSites();
            byte[] modes = r.orderModes();
            int n = r.copyValidHolds(held, sites, modes);
            long chain = 0x9E3779B97F4A7C15L;
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (held[i] == lock) {
                    if (mode == ThreadRecord.MONITOR) {
                        return; // a monitor entered again (monitor entries are exact)
                    }
                    continue; // a stale entry of this lock, released and taken again (the JDK's count said 1)
                }
                held[k] = held[i];
                sites[k] = sites[i];
                modes[k] = modes[i];
                chain = mix(chain, System.identityHashCode(held[k]));
                k++;
            }
            if (k == 0 && !(lock instanceof ReentrantReadWriteLock.WriteLock)) {
                return;
            }
            if (k > 0 && how == CallSites.TRY) {
                return; // an untimed tryLock never waits, so it is no order; the lock still counts as held below
            }
            chain = mix(mix(chain, System.identityHashCode(lock)), how * 4 + mode);
            if (QUEUED.get() >= MAX_QUEUED) {
                if (r.knownChain(chain)) {
                    return;
                }
                DROPPED.incrementAndGet(); // not cached either: the chain is offered again the next time it is taken
                return;
            }
            if (!r.firstTimeChain(chain, CACHE)) {
                return;
            }
            @SuppressWarnings("unchecked")
            WeakReference<Object>[] refs = new WeakReference[k];
            for (int i = 0; i < k; i++) {
                refs[i] = new WeakReference<>(held[i]);
                held[i] = null;
            }
            StackTraceElement[] stack = null;
            if (k > 0) {
                long key = mix(((long) sites[k - 1] << 32) | (site & 0xFFFFFFFFL), r.threadId);
                if (SITE_PAIRS.size() < MAX_STACKS && SITE_PAIRS.putIfAbsent(key, Boolean.TRUE) == null) {
                    StackTraceElement[] all = Thread.currentThread().getStackTrace();
                    stack = all.length <= MAX_FRAMES ? all : java.util.Arrays.copyOf(all, MAX_FRAMES);
                }
            }
            Thread t = Thread.currentThread();
            QUEUE.add(new Order(r.threadId, Threads.displayName(t), refs, java.util.Arrays.copyOf(modes, k),
                    java.util.Arrays.copyOf(sites, k), lock, mode, site, how, stack));
            if (QUEUED.getAndIncrement() == 0) {
                Thread w = watcher;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        } finally {
            r.suppressed--;
        }
    }

    /** A lock the calling thread held before this acquisition (the JDK counts it twice now). */
    private static boolean reentered(Object lock, byte mode) {
        if (mode == ThreadRecord.READ) {
            return Locks.readHoldCount((ReentrantReadWriteLock.ReadLock) lock) > 1;
        }
        return mode == ThreadRecord.EXCLUSIVE && Locks.holdCount(lock) > 1;
    }

    private static long mix(long h, long v) {
        h ^= v;
        h *= 0xff51afd7ed558ccdL;
        return h ^ (h >>> 33);
    }
}
