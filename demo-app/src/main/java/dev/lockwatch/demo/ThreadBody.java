package dev.lockwatch.demo;

/** What a scenario thread does. An interrupt ends the thread quietly; nothing in the demo interrupts, a tool might. */
@FunctionalInterface
interface ThreadBody {

    void run() throws InterruptedException;

    /** Daemon, so that deadlocked threads alone never keep the JVM alive. */
    static Thread daemon(String name, ThreadBody body) {
        Thread thread = new Thread(quietly(body), name);
        thread.setDaemon(true);
        return thread;
    }

    /** The body as a Runnable that ends quietly on an interrupt. */
    static Runnable quietly(ThreadBody body) {
        return () -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }
}
