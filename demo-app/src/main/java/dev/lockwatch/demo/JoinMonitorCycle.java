package dev.lockwatch.demo;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * The monitor form of {@link FutureLockCycle}: a thread inside {@code synchronized (registry)} waits with
 * {@code CompletableFuture.join()} for a stage whose function synchronizes on the same object.
 */
final class JoinMonitorCycle implements Scenario {

    private static final class ServiceRegistry {
    }

    private final ServiceRegistry registry = new ServiceRegistry();
    private final StuckThreads stuck = new StuckThreads();
    private final PoolThreads workers = PoolThreads.named("join-monitor-worker");

    @Override
    public String name() {
        return "join-monitor";
    }

    @Override
    public String description() {
        return "a thread inside synchronized waits in CompletableFuture.join() for a stage that needs the monitor";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(1, workers);
        Thread holder = ThreadBody.daemon("monitor-holder", () -> lockThenJoin(pool));
        holder.start();
        stuck.reportUntil(name(), () -> Stream.concat(Stream.of(holder), workers.threads().stream()).toList(), end);
    }

    private void lockThenJoin(ExecutorService pool) {
        synchronized (registry) {
            stuck.finalWaitNext();
            CompletableFuture.supplyAsync(this::countServices, pool).join();
        }
    }

    private int countServices() {
        stuck.finalWaitNext();
        synchronized (registry) { // never entered: the holder waits for this stage
            return 1;
        }
    }
}
