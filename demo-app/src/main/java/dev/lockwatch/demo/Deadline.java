package dev.lockwatch.demo;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A moment on the monotonic clock, so a wall-clock change cannot shorten or stretch a run. */
record Deadline(long nanoTime) {

    static Deadline after(Duration duration) {
        return new Deadline(System.nanoTime() + duration.toNanos());
    }

    boolean passed() {
        return System.nanoTime() - nanoTime >= 0;
    }

    void sleepUntil() throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(nanoTime - System.nanoTime());
    }
}
