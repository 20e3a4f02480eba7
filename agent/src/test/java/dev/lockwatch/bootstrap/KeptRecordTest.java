package dev.lockwatch.bootstrap;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A check keeps each thread's record from the last check instead of asking the registry again: the kept record
 * must stop being the answer once the JDK cleared the thread's thread-locals and a new record was listed, and a
 * kept "no record" once any record was listed since.
 */
class KeptRecordTest {

    @Test
    void aKeptRecordIsAskedAgainOnceReplacedAndAKeptNoneOnceAnyRecordWasListed() throws Exception {
        Field current = Registry.class.getDeclaredField("CURRENT");
        current.setAccessible(true);
        ThreadLocal<?> records = (ThreadLocal<?>) current.get(null);
        CountDownLatch listed = new CountDownLatch(1);
        CountDownLatch cleared = new CountDownLatch(1);
        CountDownLatch relisted = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Object task = new Object();
        Thread worker = new Thread(() -> {
            try {
                listed.await();
                Registry.taskStarted(task); // lists this thread's record
                Registry.taskEnded();
                cleared.countDown();
                relisted.await();
                records.remove(); // what the JDK's eraseThreadLocals does to a common-pool worker
                Registry.taskStarted(task); // a new record, listed in the old one's place
                Registry.taskEnded();
                done.countDown();
                Thread.sleep(60_000); // stays alive until interrupted
            } catch (InterruptedException ignored) {
                // done
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "kept-record-worker");
        worker.setDaemon(true);
        worker.start();
        try {
            long at = Registry.listings();
            ThreadRecord none = Registry.recordOf(worker, null, -1, at);
            assertNull(none, "not listed yet");
            assertNull(Registry.recordOf(worker, null, at, at), "nothing listed since: still none, without asking");
            listed.countDown();
            cleared.await();
            long later = Registry.listings();
            ThreadRecord first = Registry.recordOf(worker, null, at, later);
            assertNotNull(first, "a record was listed since the kept none: asked again");
            assertSame(first, Registry.recordOf(worker, first, later, later), "kept while it is the thread's");
            relisted.countDown();
            done.await();
            ThreadRecord second = Registry.recordOf(worker, first, later, Registry.listings());
            assertNotNull(second);
            assertNotSame(first, second, "the replaced record is not kept");
            assertSame(second, Registry.recordOf(second.threadId));
        } finally {
            worker.interrupt();
        }
        assertNull(failed.get());
    }
}
