package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.CycleFinder;
import dev.lockwatch.agent.graph.WaitEdge;
import dev.lockwatch.agent.jdk.JdkLocks;
import dev.lockwatch.agent.jdk.JdkTasks;
import dev.lockwatch.agent.jdk.JdkThreads;
import dev.lockwatch.bootstrap.CallSites;
import dev.lockwatch.bootstrap.Registry;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The false DEADLOCK of a healthy reader and writer (seen once in CI, under load): a reader whose read acquire has
 * succeeded but not yet returned is still "waiting" in its record, and its record still lists the read hold of its
 * previous turn (releases are not recorded). The writer, queued behind that reader's real read hold, and the reader,
 * "queued" behind the writer, looked like a cycle. A thread that waits for a read lock holds none of it (a read
 * re-entry never waits), so a read hold of its own means the wait is over: no edge. Real threads, the real registry
 * and JDK lock; the agent's hooks are called by hand where the instrumented JDK would call them.
 */
class AcquiredNotReturnedTest {

    @Test
    void aReaderWhoseAcquireSucceededIsNotQueuedBehindTheWriterItBlocks() throws Exception {
        ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        JdkLocks locks = new JdkLocks(false);
        Object sync = locks.syncOf(rw.readLock());
        CountDownLatch readerInWindow = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);

        Thread reader = new Thread(() -> {
            CallSites.lock(rw.readLock(), null, 1);     // its record lists this hold from now on
            rw.readLock().unlock();               // released: not recorded
            Registry.waitBegin(sync, true, false);
            rw.readLock().lock();                 // acquired again, and the acquire "has not returned"
            readerInWindow.countDown();
            await(done);
            Registry.waitEnd();
            rw.readLock().unlock();
        }, "window-reader");
        Thread writer = new Thread(() -> {
            await(readerInWindow);
            Registry.waitBegin(sync, false, false);
            rw.writeLock().lock();                // parks: the reader holds the read lock
            Registry.waitEnd();
            rw.writeLock().unlock();
        }, "window-writer");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!rw.hasQueuedThread(writer)) {
                assertTrue(System.nanoTime() < deadline, "the writer never queued");
                Thread.onSpinWait();
            }
            LiveSampler sampler = new LiveSampler(ManagementFactory.getThreadMXBean(), locks, new JdkTasks(),
                    new JdkThreads(), false, false);
            Sample sample = sampler.sample();

            List<WaitEdge> writerWaits = sample.graph().outgoing(writer.getId());
            assertEquals(1, writerWaits.size(), "the writer waits for the reader's read hold: " + writerWaits);
            assertEquals(reader.getId(), writerWaits.get(0).holder());
            assertEquals(List.of(), sample.graph().outgoing(reader.getId()), "the reader's wait is over");
            assertEquals(List.of(), CycleFinder.find(sample.graph(), 8));
        } finally {
            done.countDown();
            reader.join(10_000);
            writer.join(10_000);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
