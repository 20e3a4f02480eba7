package dev.lockwatch.demo;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A cycle through a monitor and a ReentrantLock: the JVM's own deadlock check sees both kinds, a detector that
 * tracks only one kind sees no cycle. The interruptible wait is a different AQS path from plain lock().
 */
final class MixedCycle implements Scenario {

    private static final class Monitor {
    }

    private final Monitor monitor = new Monitor();
    private final ReentrantLock lock = new ReentrantLock();
    private final DeadlockRun deadlock = new DeadlockRun();

    @Override
    public String name() {
        return "mixed";
    }

    @Override
    public String description() {
        return "a monitor and a ReentrantLock taken in opposite order, one side via lockInterruptibly()";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        deadlock.thread("mixed-monitor-then-lock", this::monitorThenLock)
                .thread("mixed-lock-then-monitor", this::lockThenMonitor)
                .run(name(), end);
    }

    private void monitorThenLock() throws InterruptedException {
        synchronized (monitor) {
            deadlock.firstLockHeld();
            lock.lockInterruptibly();
            lock.unlock();
        }
    }

    private void lockThenMonitor() throws InterruptedException {
        lock.lock();
        try {
            deadlock.firstLockHeld();
            synchronized (monitor) {
                // never reached: the monitor's holder waits for the lock
            }
        } finally {
            lock.unlock();
        }
    }
}
