package dev.lockwatch.agent.graph;

/**
 * A lock named the way the JVM names it ({@code java.lang.management.LockInfo}): its class and identity hash.
 * Never built by calling the lock's own {@code toString}, {@code hashCode} or {@code equals}.
 */
public record LockRef(String className, int identityHash) {

    public static LockRef of(Object lock) {
        return new LockRef(lock.getClass().getName(), System.identityHashCode(lock));
    }

    /** {@code java.util.concurrent.locks.ReentrantLock$NonfairSync@1b6d3586}, as jstack prints it. */
    public String key() {
        return className + "@" + Integer.toHexString(identityHash);
    }

    @Override
    public String toString() {
        return key();
    }
}
