package dev.lockwatch.it.apps;

import static dev.lockwatch.it.apps.Pause.pause;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A hedged request: two {@code completeAsync} calls on one stage, on two pools, and the first to finish wins. The
 * primary waits for lock L, which main holds while it joins the stage (then a stage after it); the backup finishes
 * by itself. Nothing is stuck. Following the primary alone made a false DEADLOCK.
 */
public final class TwoCompletersApp {
    private static final ReentrantLock L = new ReentrantLock();

    private TwoCompletersApp() {
    }

    private static String joinHedged(ExecutorService primary, ExecutorService backup, boolean stageAfter)
            throws InterruptedException {
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch primaryFinished = new CountDownLatch(1);
        L.lock();
        try {
            CompletableFuture<String> cf = new CompletableFuture<>();
            cf.completeAsync(() -> {
                started.countDown();
                L.lock();
                L.unlock();
                primaryFinished.countDown();
                return "primary";
            }, primary);
            cf.completeAsync(() -> {
                started.countDown();
                pause(1500);
                return "backup";
            }, backup);
            started.await();
            return (stageAfter ? cf.thenApply(s -> s + "!") : cf).join();
        } finally {
            L.unlock();
            primaryFinished.await(); // before the next round takes L again (the primary pool has one thread)
        }
    }

    public static void main(String[] args) throws Exception {
        ExecutorService primary = Executors.newFixedThreadPool(1);
        ExecutorService backup = Executors.newFixedThreadPool(1);
        String direct = joinHedged(primary, backup, false);
        String after = joinHedged(primary, backup, true);
        primary.shutdown();
        backup.shutdown();
        System.out.println("two-completers: all done, " + direct + " " + after);
    }
}
