package dev.lockwatch.agent.graph;

/** How a thread held, or took, a lock when it reported an order between two locks. */
public enum LockMode {
    /** The read lock of a read-write lock: readers do not block each other. */
    READ,
    /** The write lock of a read-write lock. */
    WRITE,
    /** An exclusive lock that is not part of a read-write lock: {@code ReentrantLock}, any exclusive synchronizer. */
    EXCLUSIVE,
    /** A {@code synchronized} monitor. */
    MONITOR;

    /** This mode as one bit of a small set of modes (an edge remembers every mode it was taken in). */
    int bit() {
        return 1 << ordinal();
    }
}
