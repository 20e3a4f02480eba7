package dev.lockwatch.agent.graph;

import java.util.Collection;
import java.util.List;

/**
 * "{@code waiter} waits for {@code lock}, which {@code holder} holds (or is queued to take first)".
 *
 * @param waitMode how the waiter wants the lock
 * @param heldAs   how the holder holds it
 * @param timed    the wait has a timeout, so the cycle may still resolve by itself
 * @param episode  identifies one uninterrupted wait of the waiter: a thread that is still in the same episode
 *                 at a later read has not acquired or released anything in between
 */
public record WaitEdge(long waiter, long holder, LockRef lock, Mode waitMode, Mode heldAs, boolean timed,
                       long episode) {

    public enum Mode {
        /** A {@code synchronized} monitor. */
        MONITOR,
        /** An exclusive lock: {@code ReentrantLock}, a write lock, any exclusive synchronizer. */
        EXCLUSIVE,
        /** The read side of a read-write lock. */
        READ,
        /** Queued ahead of the waiter: a writer that readers must let go first. */
        QUEUED,
        /** A hand-off: the waiter waits for a task (a future) that the holder is running. */
        TASK,
        /** A hand-off to a task still queued in a pool: whichever worker of the pool takes it. */
        POOL,
        /**
         * The initialization of a class ({@code lock} names it), whose static initializer the holder runs: the
         * waiter needs the class and the JVM makes it wait until the initializer returns.
         */
        CLASS_INIT,
        /**
         * A semaphore with no permit left: the holder took permits of it and has not released them (one edge per
         * holder; the waiter needs any one of them to release).
         */
        PERMIT
    }

    /** The same wait in the same episode, whatever the holder. */
    public boolean sameWait(WaitEdge other) {
        return waiter == other.waiter && episode == other.episode && lock.equals(other.lock);
    }

    /**
     * Whether every thread holding permits of the semaphore this edge waits for is in {@code threads}: a semaphore's
     * waiter needs only one holder to release, so it is stuck only when all of them are. {@code waiterEdges} are
     * all the edges of this edge's waiter (one per permit holder). True for an edge that is not a
     * {@link Mode#PERMIT} wait.
     */
    public boolean permitHoldersAllIn(List<WaitEdge> waiterEdges, Collection<Long> threads) {
        if (heldAs != Mode.PERMIT) {
            return true;
        }
        for (WaitEdge other : waiterEdges) {
            if (other.heldAs == Mode.PERMIT && other.lock.equals(lock) && !threads.contains(other.holder)) {
                return false;
            }
        }
        return true;
    }
}
