package dev.lockwatch.it.apps;

/** Sleeps that shape an interleaving in the apps; a test's verdict is always the exit and the report, never a sleep. */
final class Pause {
    private Pause() {
    }

    /** Until another thread waits for {@code lock} (at most 10 s). */
    static void untilQueued(java.util.concurrent.locks.ReentrantLock lock) {
        long bound = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!lock.hasQueuedThreads() && System.nanoTime() < bound) {
            pause(5);
        }
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
