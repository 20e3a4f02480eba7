package dev.lockwatch.agent.sites;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * Synchronized code as javac compiles it, for {@link MonitorLinesTest}. Lines that matter carry a marker in a
 * comment ({@code MONITOR-X} on a {@code synchronized}, {@code FIRST-X} on a synchronized method's first line);
 * the test finds them by reading this file, so editing it moves no expected number. {@code at(tag)} records where
 * its caller's frame is, as a stack trace reports it.
 *
 * <p>Layout matters here (several statements on one line on purpose): keep it when reformatting.
 */
final class MonitorFixtures {
    static final Map<String, StackWalker.StackFrame> FRAMES = new ConcurrentHashMap<>();

    final Object a = new Object();
    final Object b = new Object();
    final Object c = new Object();

    static void at(String tag) {
        StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).ifPresent(f -> FRAMES.put(tag, f)); // IN-AT
    }

    /** Runs every method that calls {@code at}, so that {@link #FRAMES} has each tag. */
    static void runAll() {
        MonitorFixtures f = new MonitorFixtures();
        f.nested();
        f.synchronizedMethod();
        staticSynchronized();
        f.loop(4);
        f.lambda().run();
        f.lambdaInsideBlock().run();
        for (int mode = 0; mode < 4; mode++) {
            try {
                f.tryFinally(mode);
            } catch (IllegalStateException expected) {
                // mode 2 leaves both blocks by an exception
            }
        }
        f.blockInTry();
        f.oneLine();
        f.overloaded(new Object());
        f.overloaded(1);
        f.overloadedOnOneLine(new Object());
        f.overloadedOnOneLine(1);
    }

    void nested() {
        synchronized (a) { // MONITOR-NESTED-A
            at("NESTED-A");
            synchronized (b) { // MONITOR-NESTED-B
                at("NESTED-AB");
                synchronized (c) { // MONITOR-NESTED-C
                    at("NESTED-ABC");
                }
                at("NESTED-AB-AFTER");
            }
            at("NESTED-A-AFTER");
        }
        at("NESTED-NONE");
    }

    synchronized void synchronizedMethod() {
        at("SYNC"); // FIRST-SYNC
        synchronized (a) { // MONITOR-SYNC-A
            at("SYNC-A");
            synchronized (this) { // MONITOR-SYNC-THIS
                at("SYNC-A-THIS");
            }
        }
    }

    static synchronized void staticSynchronized() {
        at("STATIC-SYNC"); // FIRST-STATIC-SYNC
    }

    void loop(int n) {
        for (int i = 0; i < n; i++) {
            at("LOOP-OUTSIDE");
            synchronized (a) { // MONITOR-LOOP-A
                if (i % 2 == 0) {
                    at("LOOP-CONTINUE");
                    continue;
                }
                for (int j = 0; j < i; j++) {
                    synchronized (b) { // MONITOR-LOOP-B
                        at("LOOP-AB");
                        if (j == 1) {
                            break;
                        }
                    }
                }
                at("LOOP-A");
            }
        }
    }

    Runnable lambda() {
        return () -> {
            at("LAMBDA-OUTSIDE");
            synchronized (b) { // MONITOR-LAMBDA-B
                at("LAMBDA-B");
            }
        };
    }

    /** The lambda's body is a method of its own: it holds nothing of the block it was created in. */
    Runnable lambdaInsideBlock() {
        synchronized (a) {
            return () -> at("LAMBDA-IN-BLOCK");
        }
    }

    int tryFinally(int mode) {
        synchronized (a) { // MONITOR-TF-A
            try {
                at("TF-TRY");
                if (mode == 0) {
                    return 0;
                }
                synchronized (b) { // MONITOR-TF-B
                    at("TF-AB");
                    if (mode == 1) {
                        return 1;
                    }
                    if (mode == 2) {
                        throw new IllegalStateException("mode 2");
                    }
                }
            } finally {
                at("TF-FINALLY");
            }
            at("TF-A");
            return 3;
        }
    }

    void blockInTry() {
        synchronized (c) { // MONITOR-TRY-C
            try {
                synchronized (a) { // MONITOR-TRY-A
                    try {
                        at("TRY-A-INNER-TRY");
                        throw new IllegalArgumentException("caught inside the block");
                    } catch (IllegalArgumentException e) {
                        at("TRY-A-INNER-CATCH");
                    }
                    if (a != null) {
                        throw new IllegalStateException("caught outside the block");
                    }
                }
            } catch (IllegalStateException e) {
                at("TRY-CATCH");
            }
        }
    }

    void oneLine() {
        synchronized (a) { // MONITOR-ONE-A
            at("ONE-A"); synchronized (b) { at("ONE-AB"); } // MONITOR-ONE-B
        }
    }

    void overloaded(Object x) {
        synchronized (x) { // MONITOR-OV-OBJECT
            at("OV-OBJECT");
        }
    }

    void overloaded(int x) {
        synchronized (b) { // MONITOR-OV-INT
            at("OV-INT");
        }
    }

    void overloadedOnOneLine(Object x) {
        synchronized (x) { // MONITOR-SHARED-OBJECT
            at("SHARED-OBJECT"); } } void overloadedOnOneLine(int x) { synchronized (b) { at("SHARED-INT"); // MONITOR-SHARED-INT
        }
    }

    /** Holds this, c, a and b, then blocks entering {@code blocker}, which the test holds. */
    synchronized void blockedOuter(Object blocker, CountDownLatch entered) {
        synchronized (c) { // FIRST-BLOCKED MONITOR-BLOCKED-C
            blockedInner(blocker, entered);
        }
    }

    void blockedInner(Object blocker, CountDownLatch entered) {
        synchronized (a) { // MONITOR-BLOCKED-A
            synchronized (b) { // MONITOR-BLOCKED-B
                entered.countDown();
                synchronized (blocker) { // BLOCKED-HERE
                    blocker.hashCode(); // BLOCKED-INTERPRETED
                }
            }
        }
    }

    /** Holds a and b, then waits on b (which releases it) until the test notifies b. */
    void waitingInside(CountDownLatch entered) throws InterruptedException {
        synchronized (a) { // MONITOR-WAIT-A
            synchronized (b) { // MONITOR-WAIT-B
                entered.countDown();
                b.wait(); // WAIT-HERE
            }
        }
    }
}
