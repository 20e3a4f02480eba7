package dev.lockwatch.bootstrap;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What the JDK itself says about the calling thread's hold of a lock. A thread's record notes a hold when a lock
 * is taken and nothing when it is released (the release is not even rewritten: that keeps the uncontended pair
 * within a few percent of the plain JVM); the JDK's own state tells a recorded hold that is still held from one
 * that was released since. Exclusive locks: the owner the JDK records. Read locks: the JDK's per-thread read
 * count. Monitors (recorded only with {@code lockOrder=on}) are pushed and popped exactly, so they are held.
 *
 * <p>The read count is private to {@code ReentrantReadWriteLock}; it is reached through a method handle once the
 * agent has opened {@code java.util.concurrent.locks} to this class's module. Until then, or if that failed, a
 * recorded read hold counts as released: a missed site, never a false hold.
 */
public final class Locks {
    private Locks() {
    }

    /** Whether the calling thread still holds {@code lock}, recorded in {@code mode}. */
    static boolean heldByCurrentThread(Object lock, byte mode) {
        if (mode == ThreadRecord.MONITOR) {
            return true;
        }
        if (mode == ThreadRecord.READ) {
            return readHoldCount((ReentrantReadWriteLock.ReadLock) lock) > 0;
        }
        if (lock instanceof ReentrantLock) {
            return ((ReentrantLock) lock).isHeldByCurrentThread();
        }
        return lock instanceof ReentrantReadWriteLock.WriteLock && ((ReentrantReadWriteLock.WriteLock) lock).isHeldByCurrentThread();
    }

    /** How many times the calling thread holds {@code lock} (an exclusive lock) right now. */
    static int holdCount(Object lock) {
        if (lock instanceof ReentrantLock) {
            return ((ReentrantLock) lock).getHoldCount();
        }
        return lock instanceof ReentrantReadWriteLock.WriteLock ? ((ReentrantReadWriteLock.WriteLock) lock).getHoldCount() : 0;
    }

    /** The calling thread's read holds of the read-write lock behind {@code lock}; 0 when it cannot be read. */
    static int readHoldCount(ReentrantReadWriteLock.ReadLock lock) {
        Access a = Access.INSTANCE;
        if (a == null) {
            return 0;
        }
        try {
            Object sync = a.readLockSync.get(lock);
            return (int) a.readHoldCount.invokeExact(sync);
        } catch (Throwable t) {
            return 0;
        }
    }

    /** Loads the handles; called by {@link Registry#preload()} once the package is open to this module. */
    static boolean ready() {
        return Access.INSTANCE != null;
    }

    /** Initialized on first use, after the agent opened the JDK package (a holder class, not a static field). */
    private static final class Access {
        static final Access INSTANCE = create();

        final VarHandle readLockSync;
        final MethodHandle readHoldCount;

        private Access(VarHandle readLockSync, MethodHandle readHoldCount) {
            this.readLockSync = readLockSync;
            this.readHoldCount = readHoldCount;
        }

        private static Access create() {
            try {
                Class<?> sync = Class.forName("java.util.concurrent.locks.ReentrantReadWriteLock$Sync");
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                VarHandle field = MethodHandles.privateLookupIn(ReentrantReadWriteLock.ReadLock.class, lookup)
                        .findVarHandle(ReentrantReadWriteLock.ReadLock.class, "sync", sync);
                MethodHandle count = MethodHandles.privateLookupIn(sync, lookup)
                        .findVirtual(sync, "getReadHoldCount", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Object.class));
                return new Access(field, count);
            } catch (Throwable t) {
                return null;
            }
        }
    }
}
