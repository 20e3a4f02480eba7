package dev.lockwatch.it.apps;

import static dev.lockwatch.it.apps.Pause.pause;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Stage r's task runs on a pool thread, but another thread completes r first by hand ({@code r.complete}) and,
 * doing so, fires r's dependent stages: a slow one first (3 s), then d2, which main joins while it holds lock L.
 * r's task, still running, waits for L meanwhile. Nothing is stuck: d2 completes once the slow stage is done.
 * Charging d2 to the thread still listed as running r's task made a false cycle.
 */
public final class DoneStageApp {
    private static final ReentrantLock L = new ReentrantLock();

    private DoneStageApp() {
    }

    public static void main(String[] args) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> r = CompletableFuture.supplyAsync(() -> {
            started.countDown();
            pause(600);
            L.lock(); // waits while main holds L
            L.unlock();
            return "late";
        }, pool);
        CompletableFuture<String> d2 = r.handle((v, e) -> "d2"); // pushed first: fired last
        CompletableFuture<String> slow = r.handle((v, e) -> {
            pause(3000);
            return "slow";
        });
        started.await();
        new Thread(() -> {
            pause(200);
            r.complete("early");
        }, "completer").start();
        pause(300);
        L.lock();
        String result;
        try {
            result = d2.join();
        } finally {
            L.unlock();
        }
        slow.join();
        pool.shutdown();
        System.out.println("done-stage: all done, " + result);
    }
}
