package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.WaitEdge;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.sites.ClassBytes;
import dev.lockwatch.agent.sites.InitTriggers;
import dev.lockwatch.agent.sites.LoadedClasses;

import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Threads that wait for another thread's static initializer. The JVM shows such a thread RUNNABLE, holding no lock it
 * reports, and its deadlock search does not see the wait; the wait shows only as a thread that does not move. The
 * rule (README, <i>Class-initialization deadlocks</i>):
 * <ol>
 *   <li><b>Frozen</b>: a RUNNABLE platform thread whose CPU time did not advance between two checks. A thread that
 *       used no CPU did not run, so its stack cannot have changed: the stack is read once per freeze, at the check
 *       that first finds it frozen, and the freeze (its CPU time) is the edge's episode.</li>
 *   <li><b>In the VM, not in native code</b>: its top frame is not a native method (a thread in {@code epoll_wait},
 *       {@code accept} or a socket read is frozen too, and waits for no class).</li>
 *   <li><b>Waits for a class another frozen thread initializes</b>: a class that an instruction at its top frame's
 *       line can initialize ({@link InitTriggers}: {@code new}, {@code getstatic}, {@code putstatic},
 *       {@code invokestatic} owners, and their supertypes, which are initialized first), whose {@code <clinit>}
 *       frame is on another frozen thread's stack. That thread is the edge's holder ({@link Mode#CLASS_INIT}).</li>
 * </ol>
 * A cycle of such edges is a DEADLOCK, reported at the second check that sees the same freezes
 * ({@link DeadlockDetector}), and confirmed by reading the CPU times again ({@link #stillFrozen}). A slow static
 * initializer never closes a cycle: its thread uses CPU (computing) or is not RUNNABLE (sleeping, waiting).
 *
 * <p>Cost per check: one CPU-time read per RUNNABLE platform thread (one call for all of them where the JVM offers
 * it) and a map entry each. Stacks (one {@code getThreadInfo} call, a safepoint) only for threads that have just
 * frozen, once per freeze; class files and the loaded-class index only while some frozen thread is in a
 * {@code <clinit>}, once per freeze. Nothing is kept but the last check's entries of RUNNABLE threads (ids, CPU
 * times, stack frames and class names: no thread, class or loader).
 *
 * <p>Watchdog thread only.
 */
final class ClassInitWaits {
    static final int STACK_DEPTH = 256;
    private static final String CLINIT = "<clinit>";

    private final ThreadMXBean mx;
    private final LoadedClasses classes;
    private final ClassBytes bytes;
    /** The JVM's bulk CPU-time read, or null where it has none. */
    private final BulkCpu bulk;
    /** Thread id to its freeze, as of the last check: RUNNABLE threads only. */
    private Map<Long, Frozen> before = new HashMap<>();

    ClassInitWaits(ThreadMXBean mx, LoadedClasses classes, ClassBytes bytes) {
        this.mx = mx;
        this.classes = classes;
        this.bytes = bytes;
        this.bulk = BulkCpu.of(mx);
    }

    /** One RUNNABLE thread at one CPU time, followed while that time does not move. */
    static final class Frozen {
        final long id;
        final long cpu;
        /** Checks since the first one that saw this CPU time (0 at that one: not yet known to be frozen). */
        int checks;
        /** Its top frame, when it is a suspect: RUNNABLE when the stack was read, the frame not native. */
        StackTraceElement top;
        /** The classes whose {@code <clinit>} frames its stack holds, when it is a suspect. */
        List<String> initializes;
        boolean suspect;
        /** The classes its top frame's line can initialize, with their supertypes; null until first asked. */
        Set<String> awaits;

        Frozen(long id, long cpu) {
            this.id = id;
            this.cpu = cpu;
        }
    }

    /** An edge with its two threads, for the sampler to add as nodes. */
    record Found(WaitEdge edge, Thread waiter, Thread holder) {
    }

    /**
     * The class-initialization waits among {@code runnable} (the RUNNABLE platform threads of this check). Never throws:
     * a JVM that refuses a read (a security manager, a thread that ended) costs this check its class-initialization
     * edges, never the rest of the check.
     */
    List<Found> find(List<Thread> runnable) {
        try {
            return findOrThrow(runnable);
        } catch (RuntimeException e) {
            before = new HashMap<>();
            return List.of();
        }
    }

    private List<Found> findOrThrow(List<Thread> runnable) {
        if (runnable.isEmpty() || !cpuTimeOn()) {
            if (!before.isEmpty()) {
                before = new HashMap<>();
            }
            return List.of();
        }
        long[] ids = new long[runnable.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = runnable.get(i).getId();
        }
        long[] cpu = cpuTimes(ids);
        Map<Long, Frozen> now = new HashMap<>(Math.max(16, (int) (ids.length / 0.75f) + 1));
        Map<Long, Thread> byId = new HashMap<>();
        List<Frozen> fresh = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] < 0) {
                continue; // ended, or the JVM cannot say
            }
            Frozen f = before.get(ids[i]);
            if (f == null || f.cpu != cpu[i]) {
                f = new Frozen(ids[i], cpu[i]);
            } else if (++f.checks == 1) {
                fresh.add(f);
            }
            now.put(ids[i], f);
            byId.put(ids[i], runnable.get(i));
        }
        before = now;
        if (!fresh.isEmpty()) {
            readStacks(fresh);
        }
        Map<String, Frozen> initializing = new HashMap<>();
        for (Frozen f : now.values()) {
            if (f.suspect) {
                for (String c : f.initializes) {
                    initializing.putIfAbsent(c, f);
                }
            }
        }
        if (initializing.isEmpty()) {
            return List.of(); // the usual case: no frozen thread runs a static initializer
        }
        List<Found> found = new ArrayList<>();
        try {
            for (Frozen f : now.values()) {
                if (!f.suspect) {
                    continue;
                }
                if (f.awaits == null) {
                    f.awaits = awaitedBy(f.top);
                }
                for (String awaited : f.awaits) {
                    Frozen holder = initializing.get(awaited);
                    if (holder != null && holder != f) {
                        found.add(new Found(new WaitEdge(f.id, holder.id, new LockRef(awaited, 0), Mode.CLASS_INIT,
                                Mode.CLASS_INIT, false, f.cpu), byId.get(f.id), byId.get(holder.id)));
                        break; // a thread waits for one class at a time: its nearest trigger the holder runs
                    }
                }
            }
        } finally {
            classes.forget(); // the index of loaded classes holds every class: never kept between checks
        }
        return found;
    }

    /** The waiter of a class-initialization edge still has the CPU time of the edge's freeze, and is RUNNABLE. */
    boolean stillFrozen(WaitEdge e) {
        try {
            return frozenAt(e);
        } catch (RuntimeException ex) {
            return false;
        }
    }

    private boolean frozenAt(WaitEdge e) {
        ThreadInfo info = mx.getThreadInfo(e.waiter()); // no stack: no safepoint
        return info != null && info.getThreadState() == Thread.State.RUNNABLE
                && mx.getThreadCpuTime(e.waiter()) == e.episode();
    }

    private boolean cpuTimeOn() {
        try {
            return mx.isThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private long[] cpuTimes(long[] ids) {
        if (bulk != null) {
            long[] times = bulk.cpuTimes(ids);
            if (times != null && times.length == ids.length) {
                return times;
            }
        }
        long[] times = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            times[i] = mx.getThreadCpuTime(ids[i]);
        }
        return times;
    }

    /** One call for every thread that has just frozen: their stacks and states at this moment. */
    private void readStacks(List<Frozen> fresh) {
        long[] ids = new long[fresh.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = fresh.get(i).id;
        }
        ThreadInfo[] infos = mx.getThreadInfo(ids, STACK_DEPTH);
        for (int i = 0; i < ids.length; i++) {
            ThreadInfo info = infos[i];
            Frozen f = fresh.get(i);
            StackTraceElement[] stack = info == null ? null : info.getStackTrace();
            if (info == null || info.getThreadState() != Thread.State.RUNNABLE || stack.length == 0
                    || stack[0].isNativeMethod()) {
                continue;
            }
            // Only names are kept: a frame the JVM made may refer to its class until it is first formatted.
            StackTraceElement t = stack[0];
            f.top = new StackTraceElement(t.getClassLoaderName(), t.getModuleName(), t.getModuleVersion(),
                    t.getClassName(), t.getMethodName(), t.getFileName(), t.getLineNumber());
            f.initializes = new ArrayList<>(1);
            for (StackTraceElement frame : stack) {
                if (CLINIT.equals(frame.getMethodName())) {
                    f.initializes.add(frame.getClassName());
                }
            }
            f.suspect = true;
        }
    }

    /** The classes the frame's line can initialize, and their loaded supertypes; empty when its class file is not had. */
    private Set<String> awaitedBy(StackTraceElement top) {
        Set<String> awaits = new LinkedHashSet<>();
        Class<?> c = classes.classOf(top);
        if (c == null) {
            return awaits;
        }
        for (String name : InitTriggers.at(bytes.of(c), top.getMethodName(), top.getLineNumber())) {
            awaits.add(name);
            for (Class<?> loaded : classes.named(name)) {
                addSupertypes(loaded, awaits);
            }
        }
        return awaits;
    }

    /** Superclasses and superinterfaces: the JVM initializes them before the class (JVMS 5.5, step 7). */
    private static void addSupertypes(Class<?> type, Set<String> into) {
        for (Class<?> s = type.getSuperclass(); s != null && s != Object.class; s = s.getSuperclass()) {
            into.add(s.getName());
        }
        for (Class<?> i : type.getInterfaces()) {
            if (into.add(i.getName())) {
                addSupertypes(i, into);
            }
        }
    }

    /** {@code com.sun.management.ThreadMXBean#getThreadCpuTime(long[])}, where the JVM has that module. */
    private static final class BulkCpu {
        private final com.sun.management.ThreadMXBean mx;

        private BulkCpu(com.sun.management.ThreadMXBean mx) {
            this.mx = mx;
        }

        static BulkCpu of(ThreadMXBean mx) {
            try {
                return mx instanceof com.sun.management.ThreadMXBean b ? new BulkCpu(b) : null;
            } catch (LinkageError e) { // a runtime without jdk.management
                return null;
            }
        }

        long[] cpuTimes(long[] ids) {
            try {
                return mx.getThreadCpuTime(ids);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }
}
