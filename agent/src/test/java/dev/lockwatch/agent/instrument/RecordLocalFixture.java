package dev.lockwatch.agent.instrument;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Methods with two or more recorded operations, which keep the thread's record in a local of the rewriter's: the
 * shapes whose stack map frames that local must fit in (wide locals, loops, a try that starts the method, a
 * synchronized method with a block inside). Rewritten and run by {@link RecordLocalTest}.
 */
public class RecordLocalFixture {
    public static void nested(ReentrantLock outer, ReentrantLock inner, Runnable inside) {
        outer.lock();
        try {
            inner.lock();
            try {
                inside.run();
            } finally {
                inner.unlock();
            }
        } finally {
            outer.unlock();
        }
    }

    public static double wideLocals(ReentrantLock a, ReentrantLock b, int rounds, Runnable inside) {
        long sum = 0;
        double scale = 0.5;
        for (int i = 0; i < rounds; i++) {
            if ((i & 1) == 0) {
                a.lock();
                try {
                    long here = i;
                    b.lock();
                    try {
                        sum += here;
                        inside.run();
                    } finally {
                        b.unlock();
                    }
                } finally {
                    a.unlock();
                }
            } else {
                double d = i * scale;
                sum += (long) d;
            }
        }
        return sum * scale;
    }

    public static int tryFirst(ReentrantLock a, ReentrantLock b, Runnable inside) {
        try {
            a.lock();
            b.lock();
            try {
                inside.run();
                return 1;
            } finally {
                b.unlock();
                a.unlock();
            }
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    public synchronized void synchronizedMethod(Object monitor, ReentrantLock lock, Runnable inside) {
        synchronized (monitor) {
            lock.lock();
            try {
                inside.run();
            } finally {
                lock.unlock();
            }
        }
    }

    public static void oneSite(ReentrantLock lock, Runnable inside) {
        lock.lock();
        try {
            inside.run();
        } finally {
            lock.unlock();
        }
    }
}
