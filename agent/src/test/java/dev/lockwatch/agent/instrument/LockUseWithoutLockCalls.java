package dev.lockwatch.agent.instrument;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Input for {@link CallSiteRewriterTest}: mentions {@code java/util/concurrent/locks/} (so the rewriter must parse
 * it) but calls no method the rewriter replaces.
 */
public final class LockUseWithoutLockCalls {
    private LockUseWithoutLockCalls() {
    }

    public static boolean heldAndCondition(ReentrantLock lock) {
        Condition unused = lock.newCondition();
        return unused != null && lock.isHeldByCurrentThread();
    }
}
