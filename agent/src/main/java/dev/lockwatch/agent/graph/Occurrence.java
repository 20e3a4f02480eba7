package dev.lockwatch.agent.graph;

import java.util.Objects;

/**
 * One report of an order: thread {@code thread} took lock {@code to} (as {@code toMode}) while it held lock
 * {@code from} (as {@code fromMode}).
 *
 * @param gates    the other locks the thread held exclusively at that moment, in any order: the candidates for a
 *                 gate lock. {@code from} and {@code to} themselves are ignored if present. Read only during
 *                 {@link OrderGraph#add}, so the caller may reuse the array; {@code null} means none.
 * @param timed    {@code to} was taken by a {@code tryLock} with a timeout: a deadlock through this order ends by
 *                 itself when that wait times out
 * @param payload  kept from the first occurrence of an order and never looked at (no {@code equals},
 *                 {@code hashCode} or {@code toString}): the caller keeps its sites, thread name and stack there
 */
public record Occurrence(long thread, int[] gates, boolean timed, LockMode fromMode, LockMode toMode,
                         Object payload) {
    private static final int[] NO_GATES = {};

    public Occurrence {
        gates = gates == null ? NO_GATES : gates;
        Objects.requireNonNull(fromMode, "fromMode");
        Objects.requireNonNull(toMode, "toMode");
    }
}
