package dev.lockwatch.agent.detect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts of the HANG rule that need no JVM state: idle loops, timed idle waits, dead owners in fields. */
class HangRulesTest {
    private static StackTraceElement f(String cls, String method) {
        return new StackTraceElement(cls, method, null, 1);
    }

    private static final StackTraceElement PARK = f("jdk.internal.misc.Unsafe", "park");
    private static final StackTraceElement APP = f("com.example.Service", "run");

    @Test
    void poolQueueTimerAndReferenceWaitsAreIdleLoops() {
        Thread t = new Thread(() -> { }, "worker");
        assertTrue(HangDetector.IdleLoops.idle(t, new StackTraceElement[]{PARK,
                f("java.util.concurrent.LinkedBlockingQueue", "take"), f("java.util.concurrent.ThreadPoolExecutor", "getTask")}));
        assertTrue(HangDetector.IdleLoops.idle(t, new StackTraceElement[]{PARK,
                f("java.util.concurrent.ForkJoinPool", "awaitWork"), f("java.util.concurrent.ForkJoinPool", "runWorker")}));
        assertTrue(HangDetector.IdleLoops.idle(t, new StackTraceElement[]{PARK,
                f("java.util.concurrent.ArrayBlockingQueue", "poll"), APP}), "an application's consumer on a queue");
        assertTrue(HangDetector.IdleLoops.idle(t, new StackTraceElement[]{f("java.lang.Object", "wait"),
                f("java.util.TimerThread", "mainLoop")}));
        assertTrue(HangDetector.IdleLoops.idle(t, new StackTraceElement[]{f("java.lang.Object", "wait"),
                f("java.lang.Thread", "join"), APP}), "a join waits for a thread that runs or is reported itself");
        assertTrue(HangDetector.IdleLoops.idle(new Thread(() -> { }, "Common-Cleaner"), new StackTraceElement[]{PARK, APP}));
    }

    @Test
    void aLatchFutureOrMonitorWaitInApplicationCodeIsNotIdle() {
        Thread t = new Thread(() -> { }, "latch-waiter");
        assertFalse(HangDetector.IdleLoops.idle(t, new StackTraceElement[]{PARK,
                f("java.util.concurrent.CountDownLatch", "await"), APP}));
        assertFalse(HangDetector.IdleLoops.idle(t, new StackTraceElement[]{f("java.lang.Object", "wait"), APP,
                f("java.util.concurrent.ThreadPoolExecutor", "runWorker")}), "only frames above the application's count");
    }

    @Test
    void onlyAPoolWaitingForWorkIsIdleInATimedWait() {
        assertTrue(HangDetector.IdleLoops.idleTimed(new StackTraceElement[]{PARK,
                f("java.util.concurrent.SynchronousQueue", "poll"), f("java.util.concurrent.ThreadPoolExecutor", "getTask")}));
        assertFalse(HangDetector.IdleLoops.idleTimed(new StackTraceElement[]{PARK,
                f("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "take"),
                f("java.util.concurrent.ThreadPoolExecutor", "getTask")}), "a scheduled task is due: it will run");
        assertFalse(HangDetector.IdleLoops.idleTimed(new StackTraceElement[]{f("java.lang.Thread", "sleep"), APP}));
        assertFalse(HangDetector.IdleLoops.idleTimed(new StackTraceElement[]{f("java.lang.Object", "wait"),
                f("java.util.TimerThread", "mainLoop")}), "a timer with a task to run");
    }

    static final class HandRolled {
        Thread owner;
        Runnable other = () -> { };
    }

    @Test
    void aFieldNamingAnEndedThreadIsTheDeadOwner() throws InterruptedException {
        HandRolled lock = new HandRolled();
        assertNull(HangDetector.DeadFields.deadThreadIn(lock));
        lock.owner = Thread.currentThread();
        assertNull(HangDetector.DeadFields.deadThreadIn(lock), "a live owner");
        Thread ended = new Thread(() -> { }, "ended");
        ended.start();
        ended.join();
        lock.owner = ended;
        assertSame(ended, HangDetector.DeadFields.deadThreadIn(lock));
        assertEquals("HandRolled.owner", HangDetector.DeadFields.fieldName(lock));
        assertNull(HangDetector.DeadFields.deadThreadIn(new Object()), "JDK classes are not looked into");
    }
}
