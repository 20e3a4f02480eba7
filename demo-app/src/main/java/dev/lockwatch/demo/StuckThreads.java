package dev.lockwatch.demo;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Tells when the threads of a hand-off scenario are stuck for good. Each of them calls {@link #finalWaitNext()}
 * just before the wait that never ends; only after that does a waiting state mean stuck. Before it, waiting means
 * nothing: an idle pool worker waits for work, a thread in a latch waits for its partner.
 *
 * <p>The hand-off counterpart of {@link DeadlockRun}, for scenarios whose threads are partly pool workers, which
 * the pool creates and names (see {@link PoolThreads}) rather than the scenario.
 */
final class StuckThreads {

    private static final Duration STUCK_BOUND = Duration.ofSeconds(10);
    private static final Set<Thread.State> WAITING_STATES =
            EnumSet.of(Thread.State.BLOCKED, Thread.State.WAITING, Thread.State.TIMED_WAITING);

    private final Set<Thread> atFinalWait = ConcurrentHashMap.newKeySet();

    /** The calling thread's next wait is the one that never ends. */
    void finalWaitNext() {
        atFinalWait.add(Thread.currentThread());
    }

    /**
     * Waits, at most 10 s, until every thread has called {@link #finalWaitNext()} and waits. The threads are asked
     * for again at each check, because a pool creates its workers only when work arrives.
     */
    boolean await(Supplier<List<Thread>> threads) throws InterruptedException {
        Deadline bound = Deadline.after(STUCK_BOUND);
        while (!bound.passed()) {
            List<Thread> now = threads.get();
            if (!now.isEmpty() && now.stream().allMatch(this::stuck)) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /**
     * Prints {@code demo: <scenario>: threads stuck: <names>} once {@code threads} are stuck (or that they did not
     * get stuck), returns at {@code end}, and prints the scenario's last line.
     */
    void reportUntil(String scenario, Supplier<List<Thread>> threads, Deadline end) throws InterruptedException {
        if (await(threads)) {
            String names = threads.get().stream().map(Thread::getName).collect(Collectors.joining(", "));
            System.out.println("demo: " + scenario + ": threads stuck: " + names);
        } else {
            System.out.println("demo: " + scenario + ": threads did not get stuck");
        }
        end.sleepUntil();
        System.out.println("demo: " + scenario + ": done");
    }

    private boolean stuck(Thread thread) {
        return atFinalWait.contains(thread) && WAITING_STATES.contains(thread.getState());
    }
}
