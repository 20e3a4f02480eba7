package dev.lockwatch.it.apps;

import static dev.lockwatch.it.apps.Pause.pause;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A ForkJoin worker joins task t1 and, while it waits, runs task t2, which holds lock M for a while; t1, on the
 * other worker, waits for M meanwhile. Nothing is stuck: the program finishes. It once looked like a cycle
 * (the joiner "waits" for t1, t1 waits for M "held by" the joiner).
 */
public final class ForkJoinHelpingApp {
    private static final ReentrantLock M = new ReentrantLock();

    private ForkJoinHelpingApp() {
    }

    public static void main(String[] args) throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        pool.submit(() -> {
            RecursiveAction t2 = new RecursiveAction() {
                @Override
                protected void compute() {
                    M.lock();
                    try {
                        pause(2500);
                    } finally {
                        M.unlock();
                    }
                }
            };
            RecursiveAction t1 = new RecursiveAction() {
                @Override
                protected void compute() {
                    t2.fork();
                    pause(300);
                    M.lock();
                    M.unlock();
                    t2.join();
                }
            };
            t1.fork();
            pause(100);
            t1.join();
        }).get();
        System.out.println("fork-join-helping: all done");
    }
}
