package dev.lockwatch.agent.detect;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.AbstractOwnableSynchronizer;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Reads what the JDK itself records about its locks: the exclusive owner of a synchronizer and the synchronizer
 * behind a {@code ReentrantLock} or read/write lock. Only JDK fields and final JDK methods are touched, never
 * application code. Needs {@code java.util.concurrent.locks} opened to the agent (done at start-up).
 */
public final class JdkLocks {
    private final MethodHandle exclusiveOwner;
    private final VarHandle reentrantLockSync;
    private final VarHandle readLockSync;
    private final VarHandle writeLockSync;
    private final Class<?> readWriteSync;
    private final MethodHandle readLockCount;

    public JdkLocks() throws ReflectiveOperationException {
        MethodHandles.Lookup self = MethodHandles.lookup();
        exclusiveOwner = MethodHandles.privateLookupIn(AbstractOwnableSynchronizer.class, self)
                .findVirtual(AbstractOwnableSynchronizer.class, "getExclusiveOwnerThread",
                        MethodType.methodType(Thread.class));
        readWriteSync = Class.forName("java.util.concurrent.locks.ReentrantReadWriteLock$Sync");
        readLockCount = MethodHandles.privateLookupIn(readWriteSync, self)
                .findVirtual(readWriteSync, "getReadLockCount", MethodType.methodType(int.class));
        Class<?> reentrantSync = Class.forName("java.util.concurrent.locks.ReentrantLock$Sync");
        reentrantLockSync = MethodHandles.privateLookupIn(ReentrantLock.class, self)
                .findVarHandle(ReentrantLock.class, "sync", reentrantSync);
        readLockSync = MethodHandles.privateLookupIn(ReentrantReadWriteLock.ReadLock.class, self)
                .findVarHandle(ReentrantReadWriteLock.ReadLock.class, "sync", readWriteSync);
        writeLockSync = MethodHandles.privateLookupIn(ReentrantReadWriteLock.WriteLock.class, self)
                .findVarHandle(ReentrantReadWriteLock.WriteLock.class, "sync", readWriteSync);
    }

    /** The thread that holds {@code sync} exclusively, or null (also for objects that are no synchronizer). */
    public Thread exclusiveOwner(Object sync) {
        if (!(sync instanceof AbstractOwnableSynchronizer)) {
            return null;
        }
        try {
            return (Thread) exclusiveOwner.invoke((AbstractOwnableSynchronizer) sync);
        } catch (Throwable t) {
            return null;
        }
    }

    /** The synchronizer behind a lock the application called, so holds and waits name the same object. */
    public Object syncOf(Object lock) {
        if (lock instanceof ReentrantLock) {
            return reentrantLockSync.get((ReentrantLock) lock);
        }
        if (lock instanceof ReentrantReadWriteLock.ReadLock) {
            return readLockSync.get((ReentrantReadWriteLock.ReadLock) lock);
        }
        if (lock instanceof ReentrantReadWriteLock.WriteLock) {
            return writeLockSync.get((ReentrantReadWriteLock.WriteLock) lock);
        }
        return lock;
    }

    /** How many read holds the JDK counts on a read-write lock's synchronizer (all threads, re-entries too). */
    public int readHolds(Object sync) {
        try {
            return (int) readLockCount.invoke(sync);
        } catch (Throwable t) {
            return 0;
        }
    }

    public boolean isReadWrite(Object sync) {
        return readWriteSync.isInstance(sync);
    }
}
