package dev.lockwatch.demo;

import java.lang.ref.Reference;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A task on a single-thread executor submits a subtask to the same executor and waits for it. The subtask is
 * queued behind the task that waits for it, on the only worker there is: no lock is involved, and no cycle of
 * threads either; the pool starves itself.
 */
final class SingleThreadStarvation implements Scenario {

    private final StuckThreads stuck = new StuckThreads();
    private final PoolThreads workers = PoolThreads.named("single-worker");

    /** Task A: splits the report and waits for its part. A named class, so that reports name it. */
    private final class ReportTask implements Callable<Integer> {
        private final ExecutorService executor;

        ReportTask(ExecutorService executor) {
            this.executor = executor;
        }

        @Override
        public Integer call() throws InterruptedException, ExecutionException {
            Future<Integer> part = executor.submit(new ReportPart());
            stuck.finalWaitNext();
            return part.get(); // never returns: the part is queued behind this task
        }
    }

    /** Subtask B. */
    private static final class ReportPart implements Callable<Integer> {
        @Override
        public Integer call() {
            return 1;
        }
    }

    @Override
    public String name() {
        return "single-thread-starvation";
    }

    @Override
    public String description() {
        return "a task on a single-thread executor waits for a subtask it queued on the same executor";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        ExecutorService executor = Executors.newSingleThreadExecutor(workers);
        executor.submit(new ReportTask(executor));
        stuck.reportUntil(name(), workers::threads, end);
        // The executor's wrapper shuts the pool down once unreachable; keep it for the whole run.
        Reference.reachabilityFence(executor);
    }
}
