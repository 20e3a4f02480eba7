package dev.lockwatch.agent.detect;

/**
 * A detector whose next judgement falls at a known moment between two checks (a wait that reaches {@code hangAfter}):
 * the watchdog checks at that moment instead of at the end of the interval, so a finding is never a whole interval
 * later than its rule says.
 */
public interface Due {
    /** No check is due. */
    long NONE = Long.MIN_VALUE;

    /** The {@link System#nanoTime()} at which a check is due, or {@link #NONE}; read on the watchdog thread. */
    long dueNanos();
}
