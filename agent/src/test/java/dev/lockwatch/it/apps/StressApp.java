package dev.lockwatch.it.apps;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The stress suite of {@code scripts/stress.sh} (not run by CI): one load per run, named by the first argument, each
 * printing one line with its figures: how long the load took, the watchdog's CPU per check while it ran (from the
 * agent's MBean and the watchdog thread's CPU time) and the heap still used after it ended and a GC, against the
 * heap used before it began.
 */
public final class StressApp {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    /** The baseline run ({@code STRESS_BASELINE=1}): no agent, so no check and no report is waited for. */
    private static final boolean NO_AGENT = Boolean.getBoolean("stress.noAgent");

    private StressApp() {
    }

    public static void main(String[] args) throws Exception {
        String load = args[0];
        awaitFirstCheck();
        long heapBefore = heapAfterGc();
        Watch watch = new Watch();
        long start = System.nanoTime();
        String figure;
        switch (load) {
            case "threads": figure = waitingThreads(Integer.parseInt(args[1]), watch); break;
            case "virtual": figure = virtualThreads(Integer.parseInt(args[1])); break;
            case "locks": figure = shortLivedLocks(Long.parseLong(args[1])); break;
            case "classes": figure = unloadedClasses(Integer.parseInt(args[1])); break;
            case "oom": figure = outOfMemoryChurn(Long.parseLong(args[1])); break;
            default: throw new IllegalArgumentException("unknown load " + load);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String perCheck = watch.perCheck();
        heapAfterGc();
        awaitChecks(2); // what the agent frees it frees at a check (sites of collected loaders, ended threads' records)
        long retained = heapAfterGc() - heapBefore;
        System.out.printf("stress %s: %s in %,d ms; watchdog CPU per check %s; retained heap %.1f MB%n",
                load, figure, millis, perCheck, retained / 1048576.0);
        System.exit(0);
    }

    /** N threads all waiting for one lock that main holds: the watchdog checks N waits each time. */
    private static String waitingThreads(int n, Watch watch) throws Exception {
        ReentrantLock lock = new ReentrantLock();
        lock.lock();
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(null, () -> {
                lock.lock();
                lock.unlock();
            }, "stress-waiter-" + i, 64 * 1024);
            t.start();
            threads.add(t);
        }
        long bound = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (lock.getQueueLength() < n && System.nanoTime() < bound) {
            Thread.sleep(50);
        }
        // Measure only the checks that see all N waits, after stress.warmup of them (default 0): the watchdog's loops
        // run in the JIT's profiling tier for the first few checks, at one check an interval.
        long warm = checks();
        while (!NO_AGENT && checks() < warm + Integer.getInteger("stress.warmup", 0) && System.nanoTime() < bound) {
            Thread.sleep(50);
        }
        watch.restart();
        long checks = checks();
        while (!NO_AGENT && checks() < checks + Integer.getInteger("stress.checks", 5) && System.nanoTime() < bound) {
            Thread.sleep(50);
        }
        watch.stop();
        lock.unlock();
        for (Thread t : threads) {
            t.join();
        }
        return n + " threads waiting on one lock (" + lock.getQueueLength() + " left)";
    }

    /** N virtual threads, each taking and releasing a lock; JDK 21+ (started through reflection, so this compiles on 17). */
    private static String virtualThreads(int n) throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            threads.add((Thread) start.invoke(builder, (Runnable) () -> {
                lock.lock();
                lock.unlock();
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        threads.clear();
        return n + " virtual threads, one lock each";
    }

    /** N locks, each created, taken, released and dropped, in two threads. */
    private static String shortLivedLocks(long n) throws Exception {
        Thread[] threads = new Thread[2];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                for (long j = 0; j < n / 2; j++) {
                    ReentrantLock l = new ReentrantLock();
                    l.lock();
                    l.unlock();
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return String.format("%,d short-lived locks", n);
    }

    /** N class loaders, each defining a class with lock call sites (so it is rewritten), all dropped. */
    private static String unloadedClasses(int n) throws Exception {
        byte[] bytes = IsolatedLoaderApp.classFile(IsolatedTask.class.getName());
        for (int i = 0; i < n; i++) {
            OneClass loader = new OneClass();
            Class<?> c = loader.define(bytes);
            ((Runnable) c.getDeclaredConstructor().newInstance()).run();
        }
        return String.format("%,d classes in %,d loaders, loaded and dropped", n, n);
    }

    static final class OneClass extends ClassLoader {
        OneClass() {
            super(StressApp.class.getClassLoader());
        }

        Class<?> define(byte[] b) {
            return defineClass(IsolatedTask.class.getName(), b, 0, b.length);
        }
    }

    /** Out of memory, over and over, for {@code millis}; then a deadlock that must still be reported. */
    private static String outOfMemoryChurn(long millis) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long ooms = 0;
        ReentrantLock lock = new ReentrantLock();
        while (System.nanoTime() < end) {
            List<Object> hog = new ArrayList<>();
            try {
                while (System.nanoTime() < end) {
                    lock.lock();
                    try {
                        hog.add(new long[16 * 1024]);
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (OutOfMemoryError e) {
                hog = null;
                ooms++;
            }
        }
        long before = counter("DeadlockCount");
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        CountDownLatch holding = new CountDownLatch(2);
        for (ReentrantLock[] order : new ReentrantLock[][] {{a, b}, {b, a}}) {
            Thread t = new Thread(() -> Abba.lockBoth(order[0], order[1], holding));
            t.setDaemon(true);
            t.start();
        }
        long formed = System.nanoTime();
        long bound = formed + TimeUnit.SECONDS.toNanos(30);
        while (!NO_AGENT && counter("DeadlockCount") == before && System.nanoTime() < bound) {
            Thread.sleep(10);
        }
        boolean reported = counter("DeadlockCount") > before;
        return String.format("%,d OutOfMemoryErrors, then a deadlock %s", ooms, NO_AGENT ? "(no agent to report it)" : reported
                ? "reported " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - formed) + " ms after it formed"
                : "NOT reported within 30 s");
    }

    // ---- measuring ---------------------------------------------------------------------------------------------

    /** The watchdog's CPU time and the agent's check count between two moments. */
    static final class Watch {
        private long cpu0;
        private long checks0;
        private long cpu1 = -1;
        private long checks1;

        Watch() throws Exception {
            restart();
        }

        void restart() throws Exception {
            cpu0 = watchdogCpu();
            checks0 = checks();
            cpu1 = -1;
        }

        void stop() throws Exception {
            cpu1 = watchdogCpu();
            checks1 = checks();
        }

        String perCheck() throws Exception {
            if (cpu1 < 0) {
                stop();
            }
            long n = checks1 - checks0;
            return n <= 0 ? "n/a (no check)" : String.format("%.2f ms over %d checks", (cpu1 - cpu0) / 1e6 / n, n);
        }
    }

    private static long watchdogCpu() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("lockwatch-watchdog")) {
                return MX.getThreadCpuTime(t.getId());
            }
        }
        return 0;
    }

    private static long checks() throws Exception {
        return counter("CheckCount");
    }

    private static long counter(String name) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName bean = new ObjectName("dev.lockwatch:type=Lockwatch");
        return server.isRegistered(bean) ? ((Number) server.getAttribute(bean, name)).longValue() : 0;
    }

    private static void awaitChecks(int n) throws Exception {
        long target = checks() + n;
        long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (checks() != 0 && checks() < target && System.nanoTime() < bound) {
            Thread.sleep(20);
        }
    }

    /** The agent registers its MBean at its first check. */
    private static void awaitFirstCheck() throws Exception {
        long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(NO_AGENT ? 0 : 30);
        while (checks() == 0 && System.nanoTime() < bound) {
            Thread.sleep(20);
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
