package dev.lockwatch.agent.detect;

import java.util.List;

/** Where the watchdog hands each check's findings: the one path to the outputs (see {@code alert.Pipeline}). */
public interface FindingSink {
    /** One check is done: everything the detectors saw, and the sample they saw it in (not to be kept). */
    void checked(Sample sample, List<Finding> findings);

    /** Hazards found between two checks ({@link Prompt}): reported at once, the check's bookkeeping untouched. */
    void between(List<Finding> hazards);

    /** A line about the agent itself (not an event, not a problem): INFO. */
    void notice(String line);

    /** A problem of the agent itself (never an event): said once per distinct problem. */
    void problem(String message, Throwable cause);
}
