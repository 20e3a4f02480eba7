package dev.lockwatch.it.apps;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Healthy: a pool of core size 1, maximum 2 and a queue of 1. Its only worker runs A, which submits B (queued) and
 * waits for it; the pool is below its maximum size, so it is not starved: a later submission finds the queue full,
 * the pool starts its second worker, and everything finishes. With {@code callerRuns}, the pool's rejection policy
 * runs a task in the submitting thread.
 */
public final class GrowablePoolApp {
    private GrowablePoolApp() {
    }

    public static void main(String[] args) throws Exception {
        boolean callerRuns = args.length > 0 && args[0].equals("callerRuns");
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 2, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(1));
        if (callerRuns) {
            pool.setRejectedExecutionHandler(new ThreadPoolExecutor.CallerRunsPolicy());
        }
        Future<String> a = pool.submit(() -> {
            Future<String> b = pool.submit(() -> "b");
            return "a+" + b.get();
        });
        Pause.pause(1500); // several checks while A waits for the queued B
        Future<String> c = pool.submit(() -> "c"); // queue full: a second worker starts
        System.out.println("growable-pool: all done, " + a.get() + " " + c.get());
        pool.shutdown();
    }
}
