package dev.lockwatch.agent.report;

import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.WaitEdge.Mode;

import java.util.List;

/**
 * One thread of a report: what it waits for, what it holds and where it took it, and its stack.
 *
 * @param state the thread's state as the JVM reports it (BLOCKED, WAITING, ...)
 * @param waits what it waits for, or null when it does not wait (a hang's root in a computation, say)
 * @param holds every lock it holds that the agent or the JVM knows of
 * @param stack its current stack, innermost frame first
 */
public record ThreadReport(String name, long id, String state, boolean virtual, Wait waits, List<Held> holds,
                           List<StackTraceElement> stack) {
    public ThreadReport {
        holds = List.copyOf(holds);
        stack = List.copyOf(stack);
    }

    /**
     * @param holderName    the thread that holds the lock or runs the task; for a task queued in a pool, the pool
     * @param holderId      that thread's id, or -1
     * @param waitingMillis how long the wait has lasted, or -1 where the JVM does not say
     * @param note          what the awaited task is, where known, or null
     */
    public record Wait(LockRef lock, Mode mode, boolean timed, long holderId, String holderName, Mode heldAs,
                       long waitingMillis, String note) {
    }

    /**
     * @param site where it was acquired ({@code com.example.Bank.transfer(Bank.java:42)}), or null when the agent did
     *             not see the acquisition
     * @param unrecorded why there is no site, when there is none (see {@link Held#notRecordedBecause})
     */
    public record Held(LockRef lock, Mode mode, String site, String unrecorded) {
        public Held(LockRef lock, Mode mode, String site) {
            this(lock, mode, site, null);
        }

        /** Said of a hold without a site: where the agent could not see it taken. */
        public static final String JDK_CODE = "taken inside JDK code or before Lockwatch started";
        /** Said of a semaphore permit: the agent notes who took it, not where. */
        public static final String PERMIT = "a permit taken and not released by this thread; where is not recorded";
        public static final String NOT_REWRITTEN = "taken where Lockwatch does not rewrite calls (a synchronizer of the "
                + "application's own, a method reference, reflection) or before Lockwatch started";
    }

    /** The innermost frame outside the JDK and the agent, {@code Class.method(File.java:line)}, or null. */
    public String applicationFrame() {
        for (StackTraceElement f : stack) {
            if (!Frames.jdk(f.getClassName())) {
                return Frames.site(f);
            }
        }
        return null;
    }
}
