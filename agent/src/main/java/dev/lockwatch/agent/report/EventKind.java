package dev.lockwatch.agent.report;

/**
 * The kinds of event Lockwatch reports. Their names, in capitals, appear in event lines only: an alert can match
 * the word, and no other line of the agent ever carries it (see {@link SafeText#plain}).
 */
public enum EventKind {
    /** Threads that wait for each other forever. */
    DEADLOCK(true, "deadlock"),
    /** A pool whose workers all wait for tasks queued in the same pool. */
    STARVATION(true, "starvation"),
    /** Threads stuck for good with no cycle: nothing will ever wake them. */
    HANG(true, "hang"),
    /** Locks taken in opposite orders: a deadlock waiting to happen. */
    LOCK_ORDER(false, "lock order"),
    /** A thread blocks on a hand-off while holding a lock. */
    HELD_WHILE_BLOCKING(false, "held while blocking");

    private final boolean stuck;
    private final String words;

    EventKind(boolean stuck, String words) {
        this.stuck = stuck;
        this.words = words;
    }

    /**
     * Threads are stuck for good: logged at ERROR, reminded of, and acted upon. The others are hazards, logged at
     * WARN once per finding.
     */
    public boolean stuck() {
        return stuck;
    }

    /** The kind in lower-case words, for lines that are not events (counts, file names, status). */
    public String words() {
        return words;
    }
}
