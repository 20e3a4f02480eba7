package dev.lockwatch.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.lockwatch.agent.detect.Detection;
import dev.lockwatch.agent.detect.Finding;
import dev.lockwatch.agent.detect.FindingSink;
import dev.lockwatch.agent.detect.LiveSampler;
import dev.lockwatch.agent.detect.Sample;
import dev.lockwatch.agent.detect.Watchdog;
import dev.lockwatch.agent.sites.MonitorSites;
import dev.lockwatch.agent.sites.SiteTable;
import dev.lockwatch.bootstrap.Registry;

/**
 * The cost of one watchdog check ({@link Watchdog#check()}) in a JVM with {@code threads} live threads, of
 * which {@code waiting} wait in a contended {@code ReentrantLock.lock()} (or, with {@code waitOn=queue}, in
 * {@code take()} of an empty queue of their own) and the rest are parked; {@code hangAfter} turns HANG detection
 * on in the measured watchdog, as the agent has it by default ({@code 30s}).
 *
 * <p><b>Runs only with the agent</b> ({@code -javaagent:agent/target/lockwatch-agent.jar}): the agent puts
 * {@code dev.lockwatch.bootstrap} on the boot class path, opens {@code java.util.concurrent.locks} to its own
 * classes and records contended waits; without it there is nothing to tick (the agent classes are not even on
 * the class path, since this module depends on them with {@code provided} scope). So {@link CompareRunner}
 * leaves it out of its with/without pairs, and {@link TickCostRunner} ({@code CompareRunner --tick}) runs it
 * with the agent only.
 *
 * <p>The fixture, started once per trial:
 * <ul>
 *   <li>{@code threads - waiting} idle threads, each in a {@code LockSupport.park()} loop without a blocker:
 *       WAITING for the JVM, but on no lock or latch, so neither the registry nor the JVM sees them wait
 *       for anything (with {@code idleWaitedBefore}, each first waits once, so the registry knows it as a
 *       thread that has waited);</li>
 *   <li>when {@code waiting > 0}, one of those idle threads is the holder: it takes {@code waiting} locks
 *       first and then parks like the others;</li>
 *   <li>{@code waiting} waiters, each blocked in {@code lock()} of its own lock held by the holder. The
 *       wait-for graph then has {@code waiting} edges, all into the parked holder: no cycle, no report.</li>
 * </ul>
 * The measured watchdog is this benchmark's own, built like the agent's, with a sink that fails the run on any
 * report; the agent's own watchdog keeps ticking once per interval (default 1 s) in the background.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class WatchdogTickBenchmark {

    /** Fully qualified name, for the runners: they must not load this class (it links to the agent). */
    static final String NAME = "dev.lockwatch.bench.WatchdogTickBenchmark";

    private static final long READY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long JOIN_TIMEOUT_MILLIS = 10_000;

    /** Live fixture threads in total, waiters included. */
    @Param({"1000"})
    public int threads;

    /** How many of them wait for a lock. */
    @Param({"0", "10"})
    public int waiting;

    /**
     * What the waiters wait on: {@code lock} (a contended {@code ReentrantLock.lock()}, an edge of the wait-for
     * graph each) or {@code queue} ({@code take()} of an empty {@code LinkedBlockingQueue} of their own: an idle
     * consumer, which the registry does not see and HANG must leave alone).
     */
    @Param({"lock"})
    public String waitOn;

    /** HANG detection in the measured watchdog: {@code off}, or a duration such as {@code 30s} (the agent's default). */
    @Param({"off"})
    public String hangAfter;

    /**
     * Whether every idle thread waited once (a recorded hand-off wait, begun and ended) before it parked: in a
     * long-running service every pool thread has waited at some point, and the registry keeps the records of
     * threads that ever waited in the set the watchdog scans (a wait itself then updates no shared set).
     */
    @Param({"false", "true"})
    public boolean idleWaitedBefore;

    private LiveSampler sampler;
    private Watchdog watchdog;
    private final List<Thread> idle = new ArrayList<>();
    private final List<Thread> waiters = new ArrayList<>();
    private final List<ReentrantLock> locks = new ArrayList<>();
    private final List<BlockingQueue<Object>> queues = new ArrayList<>();
    private volatile boolean stopped;
    private volatile boolean holderFailed;
    /** The JMH worker thread that the registry was told to ignore, as the agent's watchdog thread is. */
    private Thread suppressedThread;

    /** Fails the run on any finding: the fixture has no deadlock, so a finding means the measurement is wrong. */
    private static final class FailOnFinding implements FindingSink {
        int checks;

        @Override
        public void checked(Sample sample, List<Finding> findings) {
            checks++;
            if (!findings.isEmpty()) {
                throw new IllegalStateException("the tick fixture has nothing to find, yet found: " + findings.get(0).key());
            }
        }

        @Override
        public void between(List<Finding> hazards) {
            if (!hazards.isEmpty()) {
                throw new IllegalStateException("the tick fixture has nothing to find, yet found: " + hazards.get(0).key());
            }
        }

        @Override
        public void notice(String line) {
        }

        @Override
        public void problem(String message, Throwable cause) {
            throw new IllegalStateException("watchdog problem: " + message, cause);
        }
    }

    @Setup(Level.Trial)
    public void startThreads() throws ReflectiveOperationException {
        if (waiting < 0 || waiting >= threads) {
            throw new IllegalArgumentException("need 0 <= waiting < threads, got waiting=" + waiting
                    + ", threads=" + threads);
        }
        // Without any agent jar this class does not even link (NoClassDefFoundError); with the jar merely on
        // the class path the registry would be an ordinary class that no advice writes to.
        if (Registry.class.getClassLoader() != null) {
            throw new IllegalStateException(NAME + " needs the agent: run it with -javaagent:agent/target/lockwatch-agent.jar"
                    + " (CompareRunner --tick does)");
        }
        stopped = false;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        boolean onQueues = switch (waitOn) {
            case "lock" -> false;
            case "queue" -> true;
            default -> throw new IllegalArgumentException("waitOn must be lock or queue, got " + waitOn);
        };
        Detection detection = new Detection(mx, new SiteTable(), new MonitorSites(), false)
                .withHangs(hangAfter.equals("off") ? null : Duration.parse("PT" + hangAfter.toUpperCase(java.util.Locale.ROOT)));
        sampler = detection.sampler;
        watchdog = new Watchdog(sampler, detection.detectors(), new FailOnFinding(), Duration.ofSeconds(1));

        for (int i = 0; i < waiting; i++) {
            if (onQueues) {
                queues.add(new LinkedBlockingQueue<>());
            } else {
                locks.add(new ReentrantLock());
            }
        }
        int idleCount = threads - waiting;
        for (int i = 0; i < idleCount; i++) {
            boolean holder = i == 0 && !locks.isEmpty();
            Thread t = new Thread(holder ? this::holdLocksAndPark : this::waitOnceAndPark, "tick-idle-" + i);
            t.setDaemon(true); // never keep the fork alive if tear-down is skipped
            t.start();
            idle.add(t);
        }
        awaitReady("the holder to take its locks", () -> holderFailed || locks.stream().allMatch(ReentrantLock::isLocked));
        if (holderFailed) {
            throw new IllegalStateException("the holder thread failed to take its locks");
        }
        for (int i = 0; i < waiting; i++) {
            Runnable wait;
            if (onQueues) {
                BlockingQueue<Object> queue = queues.get(i);
                wait = () -> take(queue);
            } else {
                ReentrantLock lock = locks.get(i);
                wait = () -> waitFor(lock);
            }
            Thread t = new Thread(wait, "tick-waiter-" + i);
            t.setDaemon(true);
            t.start();
            waiters.add(t);
        }
        awaitReady("every fixture thread to be WAITING", () -> allWaiting(idle) && allWaiting(waiters));
        int edges = locks.size();
        awaitReady(edges + " lock waits to be recorded by the agent",
                () -> sampler.sample().graph().edges().size() == edges);
        watchdog.check();
        int reports = 0;
        if (reports != 0) {
            throw new IllegalStateException("a tick of the fixture made " + reports + " reports");
        }
    }

    /** The registry ignores the measuring thread, as it does the agent's watchdog thread (see Watchdog.run). */
    @Setup(Level.Iteration)
    public void suppressMeasuringThread() {
        if (suppressedThread != Thread.currentThread()) {
            Registry.suppressCurrentThread();
            suppressedThread = Thread.currentThread();
        }
    }

    @Benchmark
    public int tick() {
        watchdog.check();
        return 0;
    }

    @TearDown(Level.Trial)
    public void stopThreads() throws InterruptedException {
        stopped = true;
        // Interrupting unparks the idle threads and the holder; the holder then releases its locks, which
        // lets every waiter through lock() (not interruptible), and each waiter unlocks and ends.
        for (Thread t : idle) {
            t.interrupt();
        }
        for (BlockingQueue<Object> q : queues) {
            q.add(Boolean.TRUE); // wakes its consumer, which then ends
        }
        List<Thread> all = new ArrayList<>(idle);
        all.addAll(waiters);
        long deadline = System.currentTimeMillis() + JOIN_TIMEOUT_MILLIS;
        for (Thread t : all) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        long alive = all.stream().filter(Thread::isAlive).count();
        idle.clear();
        waiters.clear();
        locks.clear();
        queues.clear();
        if (alive > 0) {
            throw new IllegalStateException(alive + " fixture thread(s) did not end within "
                    + JOIN_TIMEOUT_MILLIS + " ms");
        }
    }

    private void waitOnceAndPark() {
        waitOnce();
        park();
    }

    private void waitOnce() {
        if (idleWaitedBefore) {
            Registry.handoffBegin(new Object(), true); // what the advice calls around Future.get(timeout)
            Registry.waitEnd();
        }
    }

    private void park() {
        while (!stopped) {
            LockSupport.park();
        }
    }

    private void holdLocksAndPark() {
        waitOnce(); // before it holds anything: a wait while holding would be HELD_WHILE_BLOCKING
        int taken = 0;
        try {
            for (ReentrantLock lock : locks) {
                lock.lock();
                taken++;
            }
            park();
        } catch (Throwable t) {
            holderFailed = true;
        } finally {
            for (int i = taken - 1; i >= 0; i--) {
                locks.get(i).unlock();
            }
        }
    }

    private static void take(BlockingQueue<Object> queue) {
        try {
            queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(ReentrantLock lock) {
        lock.lock();
        lock.unlock();
    }

    private static boolean allWaiting(List<Thread> list) {
        for (Thread t : list) {
            if (t.getState() != Thread.State.WAITING) {
                return false;
            }
        }
        return true;
    }

    private static void awaitReady(String what, BooleanSupplier ready) {
        long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
        try {
            while (!ready.getAsBoolean()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("timed out after "
                            + TimeUnit.NANOSECONDS.toSeconds(READY_TIMEOUT_NANOS) + " s waiting for " + what);
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }
}
