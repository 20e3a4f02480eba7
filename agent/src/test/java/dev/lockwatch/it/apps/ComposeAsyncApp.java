package dev.lockwatch.it.apps;

import static dev.lockwatch.it.apps.Pause.pause;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@code thenComposeAsync} task has run on pool P, and the future its function returned (g) is completed later
 * by a plain thread. Main holds L and joins the composed stage d (then a stage after d) while P's only worker
 * waits for L. Nothing is stuck. The JDK's compose task keeps d after it ran while g is not done, so its old
 * submission entry once made d look "queued in P": a false STARVATION.
 */
public final class ComposeAsyncApp {
    private static final ReentrantLock L = new ReentrantLock();

    private ComposeAsyncApp() {
    }

    private static int joinComposed(ExecutorService pool, boolean stageAfter) throws InterruptedException {
        CompletableFuture<Integer> g = new CompletableFuture<>();
        CountDownLatch composed = new CountDownLatch(1);
        CompletableFuture<Integer> d = CompletableFuture.completedFuture(0).thenComposeAsync(x -> {
            composed.countDown();
            return g;
        }, pool);
        composed.await();
        pause(50); // the compose task has returned
        L.lock();
        try {
            pool.execute(() -> {
                L.lock(); // P's worker waits for main's lock
                L.unlock();
            });
            new Thread(() -> {
                pause(1500);
                g.complete(42);
            }, "completer").start();
            return (stageAfter ? d.thenApply(v -> v + 1) : d).join();
        } finally {
            L.unlock();
        }
    }

    public static void main(String[] args) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        int direct = joinComposed(pool, false);
        int after = joinComposed(pool, true);
        pool.shutdown();
        System.out.println("compose-async: all done, " + direct + " " + after);
    }
}
