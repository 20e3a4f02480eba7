package dev.lockwatch.agent.alert;

import dev.lockwatch.agent.detect.Sample;

/**
 * One destination of events: the log, JFR, the MBean. Called on the watchdog thread only; an output must not block
 * for long and must never throw (a failing output says so itself, and falls back where it can).
 */
public interface Output {
    void event(Event event);

    /** A check is done ({@code sample} is not to be kept). */
    default void checked(Sample sample, long check) {
    }

    /** A line about the agent itself, not an event. */
    default void notice(String line, boolean warning) {
    }
}
