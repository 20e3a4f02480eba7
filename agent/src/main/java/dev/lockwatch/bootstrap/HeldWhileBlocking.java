package dev.lockwatch.bootstrap;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The application-thread half of {@code HELD_WHILE_BLOCKING} for {@code java.util.concurrent} locks: a thread
 * that begins to block on a future (or in {@code invokeAll}) while it holds a lock notes what it holds and where
 * it waits, once per pair of (hold sites, wait site), in a bounded queue. The watchdog's detector takes the
 * notes, drops those that a deadlock report already covers, and reports the rest; monitors held across a
 * hand-off wait are found by the detector itself (the JVM knows them, the thread does not).
 *
 * <p>Runs only on the slow path (the thread is about to park): a stack walk to the first application frame for a
 * pair seen before, the whole stack for a new one. Never logs, never takes an application lock.
 */
public final class HeldWhileBlocking {
    /** Whether the check runs ({@code heldWhileBlocking=on}); set by the agent, read by application threads. */
    static volatile boolean enabled = true;
    private static final int MAX_PENDING = 256;
    /** Pairs seen, so that each is noted once: bounded, then new pairs are still noted but no longer remembered. */
    private static final int MAX_SEEN = 65_536;
    private static final ConcurrentLinkedQueue<Note> PENDING = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger PENDING_COUNT = new AtomicInteger();
    private static final ConcurrentHashMap<String, Boolean> SEEN = new ConcurrentHashMap<>();
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final FirstApplicationFrame FIRST_APPLICATION_FRAME = new FirstApplicationFrame();

    private HeldWhileBlocking() {
    }

    public static void enable(boolean on) {
        enabled = on;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** What one thread held when it began to block. Plain data; the locks are held only until the watchdog takes it. */
    public static final class Note {
        public final String threadName;
        public final long threadId;
        /** The wait episode it began: a deadlock report of the same wait makes this note redundant. */
        public final int waitEpoch;
        public final Object[] locks;
        public final byte[] modes;
        public final int[] sites;
        /** The future's class name, or the blocking method. */
        public final String waitsFor;
        /** Where it blocks: the first application frame. */
        public final String waitSite;
        public final StackTraceElement[] stack;

        Note(String threadName, long threadId, int waitEpoch, Object[] locks, byte[] modes, int[] sites,
             String waitsFor, String waitSite, StackTraceElement[] stack) {
            this.threadName = threadName;
            this.threadId = threadId;
            this.waitEpoch = waitEpoch;
            this.locks = locks;
            this.modes = modes;
            this.sites = sites;
            this.waitsFor = waitsFor;
            this.waitSite = waitSite;
            this.stack = stack;
        }
    }

    static void preload() {
        WALKER.walk(FIRST_APPLICATION_FRAME);
        poll();
    }

    /** The calling thread, with a non-empty hold list, begins to block. */
    static void check(ThreadRecord r, String waitsFor) {
        r.suppressed++; // the stack walk and the maps take no application lock, but stay unrecorded
        try {
            Object[] locks = new Object[ThreadRecord.MAX_HELD];
            int[] sites = new int[locks.length];
            byte[] modes = new byte[locks.length];
            int n = r.copyValidHolds(locks, sites, modes);
            if (n == 0) {
                return;
            }
            String waitSite = WALKER.walk(FIRST_APPLICATION_FRAME);
            StringBuilder key = new StringBuilder(waitSite);
            for (int i = 0; i < n; i++) {
                key.append('|').append(sites[i]).append(':').append(modes[i]);
            }
            String pair = key.toString();
            if (SEEN.containsKey(pair)) {
                return;
            }
            if (SEEN.size() < MAX_SEEN) {
                SEEN.put(pair, Boolean.TRUE);
            }
            if (PENDING_COUNT.incrementAndGet() > MAX_PENDING) {
                PENDING_COUNT.decrementAndGet();
                return;
            }
            Thread t = Thread.currentThread();
            PENDING.add(new Note(Threads.displayName(t), r.threadId, r.waitEpoch(), java.util.Arrays.copyOf(locks, n),
                    java.util.Arrays.copyOf(modes, n), java.util.Arrays.copyOf(sites, n), waitsFor, waitSite,
                    t.getStackTrace()));
        } finally {
            r.suppressed--;
        }
    }

    /** The watchdog takes the next note, or null. */
    public static Note poll() {
        Note n = PENDING.poll();
        if (n != null) {
            PENDING_COUNT.decrementAndGet();
        }
        return n;
    }

    /** A pair the watchdog found itself (a monitor held across a hand-off wait); true when it is new. */
    public static boolean firstSeen(String holdSite, String waitSite) {
        String pair = waitSite + "|monitor " + holdSite;
        if (SEEN.containsKey(pair)) {
            return false;
        }
        if (SEEN.size() < MAX_SEEN) {
            SEEN.put(pair, Boolean.TRUE);
        }
        return true;
    }

    /** The first frame outside the JDK and the agent: where the application blocks. */
    public static String firstApplicationFrame(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (isApplicationClass(c)) {
                return new StackTraceElement(c, f.getMethodName(), f.getFileName(), f.getLineNumber()).toString();
            }
        }
        return "(unknown)";
    }

    static boolean isApplicationClass(String c) {
        return !c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.") && !c.startsWith("dev.lockwatch.bootstrap.");
    }

    /** {@link #firstApplicationFrame} for a live stack walk (a class, not a lambda: this code runs inside the JDK). */
    private static final class FirstApplicationFrame implements Function<Stream<StackWalker.StackFrame>, String> {
        @Override
        public String apply(Stream<StackWalker.StackFrame> frames) {
            Iterator<StackWalker.StackFrame> it = frames.iterator();
            while (it.hasNext()) {
                StackWalker.StackFrame f = it.next();
                if (isApplicationClass(f.getClassName())) {
                    // the same text as firstApplicationFrame: no class loader or module prefix
                    return new StackTraceElement(f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber()).toString();
                }
            }
            return "(unknown)";
        }
    }
}
