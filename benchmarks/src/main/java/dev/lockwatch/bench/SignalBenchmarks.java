package dev.lockwatch.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Signals: a latch counted down, a condition signalled, a semaphore released, a future completed by hand. These
 * are what an agent that records who signals or completes (so that a report can name the thread a waiter is
 * waiting for) adds to; the target is at most 1.10x without the agent.
 *
 * <p>Two kinds. Same-thread benchmarks ({@code latchAwaitOpen}, {@code latchCountDownAwait},
 * {@code semaphoreAcquireRelease}, {@code completableFutureCompleteJoin}) never block: they measure the recording
 * itself, in a few ns. Two-thread benchmarks ({@code latchPingPong}, {@code conditionPingPong},
 * {@code completableFutureCompletedByOtherThread}, {@code monitorWaitPingPong}) run a round trip with a helper
 * thread that the benchmark's state starts for the trial; the benchmark thread alone drives the rounds, so the
 * helper only ever waits for the next one, and JMH's ends of iterations never leave a thread blocked. A round trip is two cross-thread
 * wake-ups (tens of µs on this machine), noisy from fork to fork like the hand-offs in {@link HandoffBenchmarks}.
 *
 * <p>Every wait and signal is called directly in this class (the agent rewrites application call sites). Objects
 * created per operation are handed to JMH, so they escape on both sides alike: in an application a latch or a
 * future is shared with another thread anyway.
 *
 * <p>Annotation values are the defaults when run through plain JMH; {@link CompareRunner} overrides them from its
 * own options.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class SignalBenchmarks {

    /** How long a tear-down waits for its helper thread to end (helpers are daemons, so a miss only leaks it). */
    private static final long HELPER_JOIN_MILLIS = 10_000;

    private final CountDownLatch openLatch = new CountDownLatch(0);
    private final Semaphore semaphore = new Semaphore(1);
    private long counter;

    /** {@code await} of a latch already at zero: returns at once. */
    @Benchmark
    public long latchAwaitOpen() throws InterruptedException {
        openLatch.await();
        return ++counter;
    }

    /** A new latch of one, counted down and then awaited by the same thread (which does not block). */
    @Benchmark
    public CountDownLatch latchCountDownAwait() throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        latch.countDown();
        latch.await();
        return latch;
    }

    @Benchmark
    public long semaphoreAcquireRelease() throws InterruptedException {
        semaphore.acquire();
        try {
            return ++counter;
        } finally {
            semaphore.release();
        }
    }

    /** A new future, completed by the thread that then joins it (which does not block). */
    @Benchmark
    public long completableFutureCompleteJoin(Blackhole blackhole) {
        CompletableFuture<Long> future = new CompletableFuture<>();
        future.complete(++counter);
        blackhole.consume(future);
        return future.join();
    }

    /**
     * Rounds of two latches: the benchmark thread counts down {@code go} and awaits {@code done}; the helper awaits
     * {@code go} and counts down {@code done}. Latches open only once, so each round links to the next, which the
     * benchmark thread creates before it opens {@code go}.
     */
    @State(Scope.Thread)
    public static class LatchRelay {

        /** {@code next} is written by the benchmark thread before {@code go} opens, read by the helper after. */
        static final class Round {
            final CountDownLatch go = new CountDownLatch(1);
            final CountDownLatch done = new CountDownLatch(1);
            Round next;
        }

        /** The next round to run; only the benchmark thread (and set-up and tear-down, on it) uses it. */
        Round current;
        private Thread helper;

        @Setup(Level.Trial)
        public void start() {
            current = new Round();
            Round first = current;
            helper = new Thread(() -> relay(first), "bench-latch-relay");
            helper.setDaemon(true);
            helper.start();
        }

        private static void relay(Round first) {
            Round round = first;
            try {
                while (true) {
                    round.go.await();
                    Round next = round.next;
                    round.done.countDown();
                    if (next == null) {
                        return; // tear-down opened a round without a successor
                    }
                    round = next;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            current.go.countDown();
            helper.join(HELPER_JOIN_MILLIS);
        }
    }

    @Benchmark
    public CountDownLatch latchPingPong(LatchRelay relay) throws InterruptedException {
        LatchRelay.Round round = relay.current;
        LatchRelay.Round next = new LatchRelay.Round();
        round.next = next;
        round.go.countDown();
        round.done.await();
        relay.current = next;
        return round.done;
    }

    /** A turn passed back and forth under one lock, each side awaiting the one condition until it is its turn. */
    @State(Scope.Thread)
    public static class ConditionPingPong {
        final ReentrantLock lock = new ReentrantLock();
        final Condition turnChanged = lock.newCondition();
        /** Whose turn: 0 the benchmark thread's, 1 the helper's. Guarded by {@link #lock}. */
        int turn;
        /** Guarded by {@link #lock}. */
        private boolean stopping;
        private Thread helper;

        @Setup(Level.Trial)
        public void start() {
            helper = new Thread(this::serve, "bench-condition-pong");
            helper.setDaemon(true);
            helper.start();
        }

        private void serve() {
            lock.lock();
            try {
                while (true) {
                    while (turn != 1 && !stopping) {
                        turnChanged.await();
                    }
                    if (stopping) {
                        return;
                    }
                    turn = 0;
                    turnChanged.signal();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            lock.lock();
            try {
                stopping = true;
                turnChanged.signalAll();
            } finally {
                lock.unlock();
            }
            helper.join(HELPER_JOIN_MILLIS);
        }
    }

    @Benchmark
    public long conditionPingPong(ConditionPingPong pingPong) throws InterruptedException {
        pingPong.lock.lock();
        try {
            pingPong.turn = 1;
            pingPong.turnChanged.signal();
            while (pingPong.turn != 0) {
                pingPong.turnChanged.await();
            }
            return ++counter;
        } finally {
            pingPong.lock.unlock();
        }
    }

    /**
     * A helper that completes each future it is handed. The hand-over is a volatile field and
     * {@code LockSupport.unpark}, so that the only {@code java.util.concurrent} signal on the path is the
     * completion the benchmark measures.
     */
    @State(Scope.Thread)
    public static class Completer {
        /** Written by the benchmark thread (only when null), cleared by the helper before it completes it. */
        private volatile CompletableFuture<Long> pending;
        private volatile boolean stopping;
        private Thread helper;

        @Setup(Level.Trial)
        public void start() {
            helper = new Thread(this::serve, "bench-completer");
            helper.setDaemon(true);
            helper.start();
        }

        private void serve() {
            long value = 0;
            while (!stopping) {
                CompletableFuture<Long> future = pending;
                if (future == null) {
                    LockSupport.park(this);
                } else {
                    pending = null;
                    future.complete(++value);
                }
            }
        }

        void hand(CompletableFuture<Long> future) {
            pending = future;
            LockSupport.unpark(helper);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            stopping = true;
            LockSupport.unpark(helper);
            helper.join(HELPER_JOIN_MILLIS);
        }
    }

    /** A new future, completed by the helper thread while the benchmark thread waits in {@code join}. */
    @Benchmark
    public long completableFutureCompletedByOtherThread(Completer completer) {
        CompletableFuture<Long> future = new CompletableFuture<>();
        completer.hand(future);
        return future.join();
    }

    /**
     * {@link ConditionPingPong} with a monitor: {@code wait()}/{@code notify()}. The agent rewrites
     * {@code Object.wait} call sites in application code to note the monitor for HANG (a hand-rolled lock whose
     * owner died), two opaque stores and a thread-local lookup per wait; this row is what that adds to.
     */
    @State(Scope.Thread)
    public static class MonitorPingPong {
        final Object monitor = new Object();
        /** Whose turn: 0 the benchmark thread's, 1 the helper's. Guarded by {@link #monitor}. */
        int turn;
        /** Guarded by {@link #monitor}. */
        private boolean stopping;
        private Thread helper;

        @Setup(Level.Trial)
        public void start() {
            helper = new Thread(this::serve, "bench-monitor-pong");
            helper.setDaemon(true);
            helper.start();
        }

        private void serve() {
            synchronized (monitor) {
                try {
                    while (true) {
                        while (turn != 1 && !stopping) {
                            monitor.wait();
                        }
                        if (stopping) {
                            return;
                        }
                        turn = 0;
                        monitor.notify();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            synchronized (monitor) {
                stopping = true;
                monitor.notifyAll();
            }
            helper.join(HELPER_JOIN_MILLIS);
        }
    }

    @Benchmark
    public long monitorWaitPingPong(MonitorPingPong pingPong) throws InterruptedException {
        synchronized (pingPong.monitor) {
            pingPong.turn = 1;
            pingPong.monitor.notify();
            while (pingPong.turn != 0) {
                pingPong.monitor.wait();
            }
            return ++counter;
        }
    }
}
