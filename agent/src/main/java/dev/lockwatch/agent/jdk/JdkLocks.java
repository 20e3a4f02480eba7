package dev.lockwatch.agent.jdk;

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
    private final VarHandle firstReader;
    private final VarHandle firstReaderHoldCount;
    private final VarHandle readHolds;
    private final VarHandle holdCount;
    private final VarHandle threadLocals;
    private final VarHandle mapTable;
    private final VarHandle entryValue;
    private final VarHandle threadLocalHash;
    /** {@code Semaphore$Sync} with {@code permits=on}; null without, when nothing here loads a Semaphore class. */
    private final Class<?> semaphoreSync;
    private final VarHandle synchronizerState;

    /** {@code semaphores}: whether semaphore synchronizers are told apart ({@code permits=on}). */
    public JdkLocks(boolean semaphores) throws ReflectiveOperationException {
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
        firstReader = field(readWriteSync, "firstReader");
        firstReaderHoldCount = field(readWriteSync, "firstReaderHoldCount");
        readHolds = field(readWriteSync, "readHolds");
        holdCount = field(Class.forName("java.util.concurrent.locks.ReentrantReadWriteLock$Sync$HoldCounter"), "count");
        threadLocals = field(Thread.class, "threadLocals");
        Class<?> map = Class.forName("java.lang.ThreadLocal$ThreadLocalMap");
        mapTable = field(map, "table");
        entryValue = field(Class.forName("java.lang.ThreadLocal$ThreadLocalMap$Entry"), "value");
        threadLocalHash = field(ThreadLocal.class, "threadLocalHashCode");
        semaphoreSync = semaphores ? Class.forName("java.util.concurrent.Semaphore$Sync") : null;
        synchronizerState = field(java.util.concurrent.locks.AbstractQueuedSynchronizer.class, "state");
    }

    private static VarHandle field(Class<?> owner, String name) throws ReflectiveOperationException {
        return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).unreflectVarHandle(owner.getDeclaredField(name));
    }

    /** The thread that holds {@code sync} exclusively, or null (also for objects that are no synchronizer). */
    public Thread exclusiveOwner(Object sync) {
        if (!(sync instanceof AbstractOwnableSynchronizer)) {
            return null;
        }
        try {
            // invokeExact: the handle's own type, no adaptation per call (a check makes one call per waiter)
            return (Thread) exclusiveOwner.invokeExact((AbstractOwnableSynchronizer) sync);
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

    /**
     * How many read holds {@code thread} has on a read-write lock's synchronizer, as the JDK counts them: the lock's
     * first reader keeps its count in the lock, every other reader in its own {@code ThreadLocal} entry, which is
     * read here (read-only, racily: the watchdog trusts a hold only when the threads involved stayed in the same
     * waits across two reads). 0 when it cannot be read: a read edge missed, never invented.
     */
    public int readHoldsOf(Object sync, Thread thread) {
        try {
            if (!readWriteSync.isInstance(sync) || (int) readLockCount.invoke(sync) == 0) {
                return 0;
            }
            if (firstReader.getVolatile(sync) == thread) {
                int n = (int) firstReaderHoldCount.getVolatile(sync);
                if (n > 0) {
                    return n;
                }
            }
            Object key = readHolds.getVolatile(sync);
            Object map = threadLocals.getVolatile(thread);
            if (key == null || map == null) {
                return 0;
            }
            Object[] table = (Object[]) mapTable.getVolatile(map);
            if (table == null || table.length == 0) {
                return 0;
            }
            int mask = table.length - 1;
            int i = (int) threadLocalHash.get(key) & mask;
            for (int step = 0; step < table.length; step++, i = (i + 1) & mask) {
                Object e = table[i];
                if (e == null) {
                    return 0;
                }
                @SuppressWarnings("unchecked")
                java.lang.ref.Reference<Object> entry = (java.lang.ref.Reference<Object>) e;
                if (entry.refersTo(key)) {
                    Object counter = entryValue.getVolatile(e);
                    return counter == null ? 0 : (int) holdCount.getVolatile(counter);
                }
            }
            return 0;
        } catch (Throwable t) {
            return 0;
        }
    }

    /**
     * A read-write lock's first reader, while it holds its read lock: the JDK keeps that thread in the lock itself
     * (the others in their own thread-locals, which an ended thread no longer has). Null when there is none.
     */
    public Thread firstReader(Object sync) {
        try {
            if (!readWriteSync.isInstance(sync)) {
                return null;
            }
            Thread t = (Thread) firstReader.getVolatile(sync);
            return t != null && (int) firstReaderHoldCount.getVolatile(sync) > 0 ? t : null;
        } catch (Throwable t) {
            return null;
        }
    }

    public boolean isReadWrite(Object sync) {
        return readWriteSync.isInstance(sync);
    }

    /** Whether {@code sync} is a semaphore's; always false with {@code permits=off}. */
    public boolean isSemaphore(Object sync) {
        return semaphoreSync != null && semaphoreSync.isInstance(sync);
    }

    /** A semaphore's available permits (a volatile read of its state), or -1 when {@code sync} is no semaphore's. */
    public int permitsAvailable(Object sync) {
        try {
            return isSemaphore(sync) ? (int) synchronizerState.getVolatile(sync) : -1;
        } catch (Throwable t) {
            return -1;
        }
    }
}
