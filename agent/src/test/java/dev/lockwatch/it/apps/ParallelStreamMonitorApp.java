package dev.lockwatch.it.apps;

import java.util.stream.IntStream;

/**
 * A real deadlock that once went unseen: the main thread holds a monitor and runs a parallel stream whose tasks need
 * that monitor. The tasks forked to the common pool's workers block on the monitor, while main waits in
 * {@code ForkJoinTask.invoke} for them.
 */
public final class ParallelStreamMonitorApp {
    private static final Object CACHE = new Object();
    static volatile long sink;

    private ParallelStreamMonitorApp() {
    }

    public static void main(String[] args) {
        synchronized (CACHE) {
            System.out.println("parallel-stream: holding the monitor, starting the stream");
            IntStream.range(0, 64).parallel().forEach(i -> {
                Pause.pause(20);
                synchronized (CACHE) {
                    sink += i;
                }
            });
        }
        System.out.println("parallel-stream: finished (not expected)");
    }
}
