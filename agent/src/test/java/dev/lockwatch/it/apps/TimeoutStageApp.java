package dev.lockwatch.it.apps;

import static dev.lockwatch.it.apps.Pause.untilQueued;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The main thread holds lock L and joins a stage whose first stage's task waits for L, but with
 * {@code orTimeout}: once on the joined stage itself, once on the stage before it. Each time the timeout ends
 * the wait (a TimeoutException), main releases L and the task finishes. A wait with a timeout that expires is
 * not a deadlock, even when the timeout is set on the stage rather than passed to {@code get}.
 */
public final class TimeoutStageApp {
    private static final ReentrantLock L = new ReentrantLock();

    private TimeoutStageApp() {
    }

    private static int needsL() {
        L.lock();
        L.unlock();
        return 1;
    }

    private static boolean timedOut(ExecutorService pool, boolean onTheJoinedStage) {
        L.lock();
        try {
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(TimeoutStageApp::needsL, pool);
            untilQueued(L); // until the task waits for L
            CompletableFuture<Integer> joined = onTheJoinedStage
                    ? first.thenApply(v -> v + 1).orTimeout(1500, TimeUnit.MILLISECONDS)
                    : first.orTimeout(1500, TimeUnit.MILLISECONDS).thenApply(v -> v + 1);
            joined.join();
            return false;
        } catch (CompletionException e) {
            return e.getCause() instanceof TimeoutException;
        } finally {
            L.unlock();
        }
    }

    public static void main(String[] args) {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        boolean joinedStage = timedOut(pool, true);
        boolean stageBefore = timedOut(pool, false);
        pool.shutdown();
        System.out.println("timeout-stage: all done, timed out " + joinedStage + " " + stageBefore);
    }
}
