package dev.lockwatch.it.apps;

import java.util.concurrent.locks.ReentrantLock;

/** A class with lock calls, loaded by {@link IsolatedLoaderApp}'s isolating loader. */
public final class IsolatedTask implements Runnable {
    private final ReentrantLock lock = new ReentrantLock();

    @Override
    public void run() {
        lock.lock();
        lock.unlock();
    }
}
