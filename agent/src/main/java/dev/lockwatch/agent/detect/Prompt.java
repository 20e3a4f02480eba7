package dev.lockwatch.agent.detect;

import java.util.List;

/**
 * A detector with work that should not wait for the next check: it can wake the watchdog, which then asks it for
 * findings at once (hazards only: threads stuck for good are judged at checks, on a whole sample).
 */
public interface Prompt {
    /** Whether there is work now; called on the watchdog thread. */
    boolean due();

    /** Adds the findings of that work. */
    void findNow(List<Finding> findings);

    /** Lines for the log about the detector itself (not events), taken after each check. */
    default List<String> notices() {
        return List.of();
    }
}
