package fastpath;

import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

public final class RewrittenLoops {
    final ReentrantLock lock = new ReentrantLock();
    final ReentrantLock outer = new ReentrantLock();
    final ReentrantLock inner = new ReentrantLock();
    final ReentrantReadWriteLock.ReadLock readLock = new ReentrantReadWriteLock().readLock();
    final Object monitor = new Object();
    final Object outerMonitor = new Object();
    final Object innerMonitor = new Object();
    long counter;

    public long opLock() { lock.lock(); try { return ++counter; } finally { lock.unlock(); } }
    public long opNested() { outer.lock(); try { inner.lock(); try { return ++counter; } finally { inner.unlock(); } } finally { outer.unlock(); } }
    public long opRead() { readLock.lock(); try { return ++counter; } finally { readLock.unlock(); } }
    public long opSync() { synchronized (monitor) { return ++counter; } }
    public long opNestedSync() { synchronized (outerMonitor) { synchronized (innerMonitor) { return ++counter; } } }

    public long run(int which, int n) {
        long s = 0;
        switch (which) {
            case 0: for (int i = 0; i < n; i++) s += opLock(); break;
            case 1: for (int i = 0; i < n; i++) s += opNested(); break;
            case 2: for (int i = 0; i < n; i++) s += opRead(); break;
            case 3: for (int i = 0; i < n; i++) s += opSync(); break;
            default: for (int i = 0; i < n; i++) s += opNestedSync(); break;
        }
        return s;
    }
}
