package dev.lockwatch.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The threads of one deadlock scenario. Each thread takes its first lock, calls {@link #firstLockHeld()}, then asks
 * for its second lock. {@code firstLockHeld} returns only when every thread holds its first lock, so every second
 * request meets a holder that is itself waiting: the cycle closes on every run, not by luck of timing.
 *
 * <p>A CountDownLatch rather than a CyclicBarrier: the barrier takes a ReentrantLock inside, which the agent would
 * see as one more lock taken while the first is held.
 */
final class DeadlockRun {

    private static final Duration STUCK_BOUND = Duration.ofSeconds(10);
    private static final Set<Thread.State> WAITING_STATES =
            EnumSet.of(Thread.State.BLOCKED, Thread.State.WAITING, Thread.State.TIMED_WAITING);

    private final List<Thread> threads = new ArrayList<>();
    /** Threads past the latch. After it a thread's only wait is its second lock, so a waiting state means stuck. */
    private final Set<Thread> askingForSecondLock = ConcurrentHashMap.newKeySet();
    /** Set before any thread starts; Thread.start makes it visible to them. */
    private CountDownLatch firstLocksHeld;

    DeadlockRun thread(String name, ThreadBody body) {
        threads.add(ThreadBody.daemon(name, body));
        return this;
    }

    /** A virtual thread (JDK 21+), named unless {@code name} is null; virtual threads are always daemons. */
    DeadlockRun virtualThread(String name, ThreadBody body) {
        threads.add(VirtualThreads.unstarted(name, ThreadBody.quietly(body)));
        return this;
    }

    /** Called by each thread while it holds its first lock; returns once all threads hold theirs. */
    void firstLockHeld() throws InterruptedException {
        firstLocksHeld.countDown();
        firstLocksHeld.await();
        askingForSecondLock.add(Thread.currentThread());
    }

    /** Starts the threads, reports when they are stuck, and returns at {@code end}. Runs once per instance. */
    void run(String scenario, Deadline end) throws InterruptedException {
        firstLocksHeld = new CountDownLatch(threads.size());
        threads.forEach(Thread::start);
        if (awaitStuck()) {
            String names = threads.stream().map(t -> t.getName().isEmpty() ? "(unnamed)" : t.getName())
                    .collect(Collectors.joining(", "));
            System.out.println("demo: " + scenario + ": threads stuck: " + names);
        } else {
            System.out.println("demo: " + scenario + ": threads did not get stuck");
        }
        end.sleepUntil();
        System.out.println("demo: " + scenario + ": done");
    }

    private boolean awaitStuck() throws InterruptedException {
        Deadline bound = Deadline.after(STUCK_BOUND);
        while (!bound.passed()) {
            if (threads.stream().allMatch(this::stuckOnSecondLock)) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    private boolean stuckOnSecondLock(Thread thread) {
        return askingForSecondLock.contains(thread) && WAITING_STATES.contains(thread.getState());
    }
}
