package dev.lockwatch.agent.detect;

import dev.lockwatch.bootstrap.Registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The agent's one thread: every {@code interval} it samples the wait-for graph, lets each {@link Detector} look at
 * the sample, and hands everything found to the {@link FindingSink}, which decides what gets reported.
 *
 * <p>The thread is a daemon, suppressed in the registry (its own locking is never recorded), parks between
 * checks, and never calls application code or takes an application lock. It survives any {@code Throwable},
 * {@code OutOfMemoryError} included: a failed check is said once (per distinct problem), and the next one runs.
 */
public final class Watchdog implements Runnable {
    public static final String THREAD_NAME = "lockwatch-watchdog";

    private final Sampler sampler;
    private final List<Detector> detectors;
    private final List<Prompt> prompts = new ArrayList<>();
    private final List<Due> dues = new ArrayList<>();
    private final FindingSink sink;
    private volatile long intervalNanos;
    private volatile boolean stopped;
    private volatile Thread thread;
    /** Counted down once the last round of prompt work ran after {@link #finish()}. */
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean finishing;

    public Watchdog(Sampler sampler, List<Detector> detectors, FindingSink sink, Duration interval) {
        this.sampler = sampler;
        this.detectors = List.copyOf(detectors);
        for (Detector d : detectors) {
            if (d instanceof Prompt) {
                prompts.add((Prompt) d);
            }
            if (d instanceof Due) {
                dues.add((Due) d);
            }
        }
        this.sink = sink;
        this.intervalNanos = interval.toNanos();
    }

    public void interval(Duration interval) {
        this.intervalNanos = interval.toNanos();
        wake();
    }

    public void stop() {
        stopped = true;
        wake();
    }

    /**
     * The JVM is exiting: the watchdog does what woke-up work is pending (lock orders taken just before the exit) and
     * returns; waits at most {@code millis} for it.
     */
    public boolean finish(long millis) throws InterruptedException {
        finishing = true;
        wake();
        return finished.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS); // false if run() never started
    }

    /** Makes the watchdog check now rather than at the end of the interval. */
    public void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Runs the checks on the calling thread until {@link #stop()}, the first one an interval from now. */
    @Override
    public void run() {
        run(System.nanoTime() + intervalNanos);
    }

    /**
     * Runs the checks on the calling thread until {@link #stop()}, the first one at {@code firstCheck}
     * ({@link System#nanoTime()}; now or earlier: at once). The agent's thread, which has already waited an interval
     * before building the checks, calls it with now: a deadlock formed at start-up is reported within about an
     * interval of it, not two.
     */
    public void run(long firstCheck) {
        thread = Thread.currentThread();
        Registry.suppressCurrentThread();
        long next = firstCheck;
        while (!stopped) {
            if (finishing) {
                try {
                    promptly();
                } catch (Throwable ignored) {
                    // exiting anyway
                } finally {
                    finished.countDown();
                }
                return;
            }
            try {
                long wait = checkAt(next) - System.nanoTime();
                if (wait > 0) {
                    promptly();
                    LockSupport.parkNanos(this, Math.min(wait, intervalNanos));
                    continue;
                }
                lastCheckNanos = System.nanoTime();
                next = lastCheckNanos + intervalNanos;
                lastCheckCost = -1; // a check that fails is costed as one that took no time
                check();
                lastCheckCost = System.nanoTime() - lastCheckNanos;
            } catch (Throwable t) {
                try {
                    String denied = SecurityDenial.of(t);
                    sink.problem(denied != null ? denied : "watchdog check failed; it keeps running", t);
                } catch (Throwable ignored) {
                    // out of memory even for that line: the next check tries again
                }
            }
        }
    }

    /**
     * When to check next: at {@code next}, the end of the interval, or earlier when a detector's judgement is due
     * before it (by more than {@link #DUE_SLACK_NANOS}, so that a due moment just before the tick does not cost a
     * check of its own). Each check starts a new interval, so early checks at most double the rate while waits keep
     * reaching {@code hangAfter} between ticks, and in steady state the ticks line up with them. An early check
     * starts no sooner than {@link #EARLY_GAP} times the last check's cost after the last one began: ten thousand
     * waits that began over ten seconds reach {@code hangAfter} over ten seconds too, and one check per due moment
     * ran checks back to back (a stress run counted 48 to 56 checks where the interval gives 35); now early checks
     * take at most about a tenth of a core.
     */
    long checkAt(long next) {
        long at = next;
        for (Due d : dues) {
            long due = d.dueNanos();
            // A due moment no later than the last check's start is stale (its detector failed before it could say
            // the next one): ignored, or a failing detector would make the watchdog spin.
            if (due != Due.NONE && due - lastCheckNanos > 0 && due - (at - DUE_SLACK_NANOS) < 0) {
                at = due;
            }
        }
        long earliest = lastCheckNanos + EARLY_GAP * Math.max(0, lastCheckCost);
        return at - next < 0 && at - earliest < 0 ? (earliest - next < 0 ? earliest : next) : at;
    }

    private static final long DUE_SLACK_NANOS = 5_000_000L;
    private static final int EARLY_GAP = 10;
    /** How long the last check took, in nanoseconds (watchdog thread only). */
    private long lastCheckCost;
    /** When the last check started (watchdog thread only). */
    private long lastCheckNanos = System.nanoTime();

    /** One check. Public for the tick-cost benchmark and tests. */
    public void check() {
        Registry.purge();
        Sample sample = sampler.sample();
        List<Finding> findings = new ArrayList<>();
        for (Detector d : detectors) {
            d.find(sample, findings);
        }
        sink.checked(sample, findings);
        for (Prompt p : prompts) {
            for (String line : p.notices()) {
                sink.notice(line);
            }
        }
    }

    /** Between checks: the work of the detectors that woke the watchdog (a lock order that closed a cycle). */
    private void promptly() {
        List<Finding> hazards = null;
        for (Prompt p : prompts) {
            if (p.due()) {
                if (hazards == null) {
                    hazards = new ArrayList<>();
                }
                p.findNow(hazards);
            }
        }
        if (hazards != null && !hazards.isEmpty()) {
            sink.between(hazards);
        }
    }
}
