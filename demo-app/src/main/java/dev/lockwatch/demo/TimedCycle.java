package dev.lockwatch.demo;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An ABBA cycle where one side waits with a timeout. It would break by itself after 60 s, longer than any demo run;
 * until then it is as stuck as any other deadlock, and a detector should say that the cycle has a timed edge.
 */
final class TimedCycle implements Scenario {

    private final ReentrantLock a = new ReentrantLock();
    private final ReentrantLock b = new ReentrantLock();
    private final DeadlockRun deadlock = new DeadlockRun();

    @Override
    public String name() {
        return "timed-cycle";
    }

    @Override
    public String description() {
        return "lock-abba where one side waits with tryLock(60 s): stuck for the whole run";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        deadlock.thread("timed-A-then-B", this::aThenTimedB)
                .thread("untimed-B-then-A", this::bThenA)
                .run(name(), end);
    }

    private void aThenTimedB() throws InterruptedException {
        a.lock();
        try {
            deadlock.firstLockHeld();
            if (b.tryLock(60, TimeUnit.SECONDS)) {
                b.unlock();
            }
        } finally {
            a.unlock();
        }
    }

    private void bThenA() throws InterruptedException {
        b.lock();
        try {
            deadlock.firstLockHeld();
            a.lock();
            a.unlock();
        } finally {
            b.unlock();
        }
    }
}
