package dev.lockwatch.agent.report;

import java.util.List;

/**
 * A thread began to block in a hand-off wait while holding locks: the runtime twin of clippy's
 * {@code await_holding_lock}. A warning, logged once per pair of (where the lock was taken, where the wait is).
 */
public record HeldWhileBlockingReport(String fingerprint, String threadName, long threadId, String waitsFor,
                                      String waitSite, List<Hold> locks, List<StackTraceElement> stack) {
    public HeldWhileBlockingReport {
        locks = List.copyOf(locks);
        stack = List.copyOf(stack);
    }

    /** @param site where it was acquired, or null where not recorded */
    public record Hold(String lock, String mode, String site) {
    }
}
