package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.jdk.JdkTasks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link Handoffs} without an agent, for what the JDK itself records: a {@code FutureTask}'s runner, a future
 * that is done or ends by a timeout. Where it cannot know (nothing recorded who a task was handed to), no edge.
 * The paths that need the registry's records (stages, pools, ForkJoin runners) are covered by the hand-off ITs.
 */
class HandoffsTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private final Handoffs handoffs;

    HandoffsTest() throws ReflectiveOperationException {
        handoffs = new Handoffs(new JdkTasks());
    }

    @AfterEach
    void releaseTasks() {
        release.countDown();
    }

    private Handoffs.Standing standing(Object future, Thread waiter) {
        return handoffs.standing(future, waiter, handoffs.stages());
    }

    private FutureTask<Integer> runningOn(String name) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        FutureTask<Integer> task = new FutureTask<>(() -> {
            started.countDown();
            release.await();
            return 1;
        });
        Thread runner = new Thread(task, name);
        runner.setDaemon(true);
        runner.start();
        started.await(10, TimeUnit.SECONDS);
        return task;
    }

    @Test
    void aRunningFutureTaskStandsWithTheThreadThatRunsIt() throws Exception {
        FutureTask<Integer> task = runningOn("handoffs-test-runner");

        Handoffs.Standing s = standing(task, Thread.currentThread());

        assertEquals(1, s.runners().size(), s.toString());
        assertEquals("handoffs-test-runner", s.runners().get(0).getName());
        assertEquals(null, s.pool());
    }

    @Test
    void aThreadThatRunsTheTaskItselfWaitsForNobody() throws Exception {
        FutureTask<Integer> task = runningOn("handoffs-test-self");
        Thread runner = standing(task, Thread.currentThread()).runners().get(0);

        assertSame(Handoffs.Standing.UNKNOWN, standing(task, runner));
    }

    @Test
    void aDoneFutureOrOneNobodyWasHandedIsNoEdge() {
        FutureTask<Integer> done = new FutureTask<>(() -> 1);
        done.run();
        assertSame(Handoffs.Standing.UNKNOWN, standing(done, Thread.currentThread()));

        FutureTask<Integer> neverSubmitted = new FutureTask<>(() -> 1);
        assertSame(Handoffs.Standing.UNKNOWN, standing(neverSubmitted, Thread.currentThread()),
                "a new task that no submission recorded: no pool to wait for");

        assertSame(Handoffs.Standing.UNKNOWN, standing(CompletableFuture.completedFuture(1), Thread.currentThread()));
    }

    @Test
    void aStageThatEndsByItsOwnTimeoutIsNoEdge() {
        CompletableFuture<Integer> timed = new CompletableFuture<Integer>().orTimeout(1, TimeUnit.HOURS);

        assertSame(Handoffs.Standing.UNKNOWN, standing(timed, Thread.currentThread()));
        timed.complete(1);
    }

    @Test
    void aFutureOfAnotherKindOrAStageNoTaskCompletesIsNoEdge() {
        // completed by application code, if ever: the agent sees no task behind it
        CompletableFuture<Integer> byHand = new CompletableFuture<>();

        assertSame(Handoffs.Standing.UNKNOWN, standing(byHand, Thread.currentThread()));
        assertSame(Handoffs.Standing.UNKNOWN, standing(List.of(), Thread.currentThread()));
        byHand.complete(1);
    }
}
