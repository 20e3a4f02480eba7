package dev.lockwatch.agent.report;

/** Where reports go. The watchdog only knows this interface; tests and later output formats plug in here. */
public interface EventSink {
    void deadlock(DeadlockReport report);

    void starvation(StarvationReport report);

    void heldWhileBlocking(HeldWhileBlockingReport report);

    /** A problem of the agent itself (never an event): logged plainly, never with an event kind. */
    void agentProblem(String message, Throwable cause);
}
