package dev.lockwatch.it.apps;

/** Sleeps that shape an interleaving in the apps; a test's verdict is always the exit and the report, never a sleep. */
final class Pause {
    private Pause() {
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
