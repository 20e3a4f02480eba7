package dev.lockwatch.agent.ops;

/** Where events and the agent's own lines go: the agent's private logging ({@code AgentLog}), or a test double. */
public interface EventLog {
    /** An event: ERROR when threads are stuck for good, WARN for a hazard. */
    void event(Event event);

    /** A line that is not an event. The caller makes sure it carries no event kind in capitals. */
    void info(String message);

    void warn(String message);

    /** Flushes and closes the log: the JVM is about to halt. */
    void close();
}
