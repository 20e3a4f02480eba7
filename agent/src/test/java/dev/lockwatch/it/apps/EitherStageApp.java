package dev.lockwatch.it.apps;

import static dev.lockwatch.it.apps.Pause.pause;
import static dev.lockwatch.it.apps.Pause.untilQueued;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The main thread holds lock L and joins {@code blocked.applyToEither(slow, ...)}: {@code blocked}'s task waits
 * for L, {@code slow} completes by itself a little later, and with it the stage that main joins. Nothing is stuck:
 * the program finishes. Following the either-stage as if it needed {@code blocked} would make a false cycle
 * (main waits for blocked's worker, which waits for L, held by main).
 */
public final class EitherStageApp {
    private static final ReentrantLock L = new ReentrantLock();

    private EitherStageApp() {
    }

    public static void main(String[] args) throws Exception {
        ExecutorService blockedPool = Executors.newFixedThreadPool(1);
        ExecutorService slowPool = Executors.newFixedThreadPool(1);
        L.lock();
        int result;
        try {
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
                L.lock();
                L.unlock();
                return 1;
            }, blockedPool);
            untilQueued(L); // until blocked's task waits for L
            CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(() -> {
                pause(1500);
                return 2;
            }, slowPool);
            result = blocked.applyToEither(slow, v -> v).join();
        } finally {
            L.unlock();
        }
        blockedPool.shutdown();
        slowPool.shutdown();
        System.out.println("either-stage: all done, result " + result);
    }
}
