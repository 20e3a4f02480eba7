package dev.lockwatch.bootstrap;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A common-pool worker's thread-locals are cleared by the JDK while a task runs, so the task's end finds a fresh
 * record: the end belongs to the record that noted the start, still listed under the thread's id, whether or not
 * that thread ever took a semaphore permit. A task left "running" on the old record would keep drawing hand-off
 * edges to a thread that no longer runs it.
 */
class ReplacedRecordTaskTest {

    @Test
    void aTaskEndedAfterTheThreadLocalsWereClearedEndsOnTheRecordThatStartedIt() throws Exception {
        Field current = Registry.class.getDeclaredField("CURRENT");
        current.setAccessible(true);
        ThreadLocal<?> records = (ThreadLocal<?>) current.get(null);
        Object task = new Object();
        AtomicReference<ThreadRecord> started = new AtomicReference<>();
        AtomicReference<Object> runningAfter = new AtomicReference<>(task);
        AtomicReference<ThreadRecord> fresh = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            Registry.taskStarted(task);
            ThreadRecord first = Registry.recordOf(Thread.currentThread().getId());
            started.set(first);
            records.remove(); // what the JDK's eraseThreadLocals does to a common-pool worker
            Registry.taskEnded();
            fresh.set(Registry.current());
            runningAfter.set(first == null ? task : first.runningFor());
        }, "replaced-record-worker");
        worker.start();
        worker.join(10_000);

        assertNotNull(started.get(), "the task's start listed the thread's record");
        assertNotSame(started.get(), fresh.get(), "the thread got a new record");
        assertNull(runningAfter.get(), "the old record still runs the task");
    }
}
