package dev.lockwatch.demo;

/** The textbook deadlock: two threads synchronize on the same two monitors in opposite order. */
final class MonitorAbba implements Scenario {

    /** Classes of their own, so reports name the monitors by class. */
    private static final class MonitorA {
    }

    private static final class MonitorB {
    }

    private final MonitorA a = new MonitorA();
    private final MonitorB b = new MonitorB();
    private final DeadlockRun deadlock = new DeadlockRun();

    @Override
    public String name() {
        return "monitor-abba";
    }

    @Override
    public String description() {
        return "two threads synchronize on two monitors in opposite order";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        deadlock.thread("monitor-A-then-B", this::aThenB)
                .thread("monitor-B-then-A", this::bThenA)
                .run(name(), end);
    }

    private void aThenB() throws InterruptedException {
        synchronized (a) {
            deadlock.firstLockHeld();
            synchronized (b) {
                // never reached: b's holder waits for a
            }
        }
    }

    private void bThenA() throws InterruptedException {
        synchronized (b) {
            deadlock.firstLockHeld();
            synchronized (a) {
                // never reached: a's holder waits for b
            }
        }
    }
}
