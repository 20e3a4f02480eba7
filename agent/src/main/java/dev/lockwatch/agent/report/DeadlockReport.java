package dev.lockwatch.agent.report;

import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.WaitEdge.Mode;

import java.util.List;

/**
 * Everything a person needs to understand one deadlock, as plain data: built by the watchdog, turned into text
 * (or anything else) by a formatter.
 *
 * @param fingerprint stable id of the cycle (same threads, same locks)
 * @param timed       some wait in the cycle has a timeout; the report is made after the cycle lasted two ticks
 * @param threads     the threads of the cycle, in cycle order: each waits for a lock held by the next
 */
public record DeadlockReport(String fingerprint, boolean timed, List<ThreadReport> threads) {

    public DeadlockReport {
        threads = List.copyOf(threads);
    }

    /**
     * @param state   the thread's state as the JVM reports it (BLOCKED, WAITING, ...)
     * @param waits   what it waits for
     * @param holds   every lock it holds that the agent or the JVM knows of
     * @param stack   its current stack, innermost frame first
     */
    public record ThreadReport(String name, long id, String state, boolean virtual, Wait waits,
                               List<Held> holds, List<StackTraceElement> stack) {
        public ThreadReport {
            holds = List.copyOf(holds);
            stack = List.copyOf(stack);
        }
    }

    /**
     * @param holderName    the thread that holds the lock or runs the task; for a task queued in a pool, the pool
     * @param waitingMillis how long the wait has lasted, or -1 where the JVM does not say
     * @param note          what the awaited task is, where known, or null
     */
    public record Wait(LockRef lock, Mode mode, boolean timed, long holderId, String holderName, Mode heldAs,
                       long waitingMillis, String note) {
    }

    /**
     * @param site where it was acquired ("com.example.Bank.transfer(Bank.java:42)"), or null when the agent did
     *             not see the acquisition (inside JDK code, or before the agent started)
     */
    public record Held(LockRef lock, Mode mode, String site) {
    }
}
