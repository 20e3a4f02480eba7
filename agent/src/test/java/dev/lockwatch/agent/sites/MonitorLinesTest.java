package dev.lockwatch.agent.sites;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.lockwatch.agent.sites.MonitorLines.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class MonitorLinesTest {
    private static FixtureSource source;
    private static byte[] fixtureBytes;
    private static MonitorLines lines;

    @BeforeAll
    static void compileAndRunFixtures() {
        source = FixtureSource.of(MonitorFixtures.class);
        fixtureBytes = ClassBytes.read(MonitorFixtures.class);
        assertNotNull(fixtureBytes, "the fixture's class file, from target/test-classes");
        lines = MonitorLines.of(fixtureBytes);
        MonitorFixtures.runAll();
    }

    // ---- javac-compiled fixtures, frames as StackWalker reports them -----------------------------------------

    @Test
    void nestedBlocksGiveEachEnclosingSynchronizedInnermostFirst() {
        assertSites("NESTED-A", "MONITOR-NESTED-A");
        assertSites("NESTED-AB", "MONITOR-NESTED-B", "MONITOR-NESTED-A");
        assertSites("NESTED-ABC", "MONITOR-NESTED-C", "MONITOR-NESTED-B", "MONITOR-NESTED-A");
        assertSites("NESTED-AB-AFTER", "MONITOR-NESTED-B", "MONITOR-NESTED-A");
        assertSites("NESTED-A-AFTER", "MONITOR-NESTED-A");
        assertSites("NESTED-NONE");
    }

    @Test
    void synchronizedMethodsOwnMonitorIsTheOutermostAndSitsOnItsFirstLine() {
        assertSites("SYNC", "FIRST-SYNC");
        assertSites("SYNC-A", "MONITOR-SYNC-A", "FIRST-SYNC");
        assertSites("SYNC-A-THIS", "MONITOR-SYNC-THIS", "MONITOR-SYNC-A", "FIRST-SYNC");
        assertSites("STATIC-SYNC", "FIRST-STATIC-SYNC");
    }

    @Test
    void blocksInLoopsWithContinueAndBreak() {
        assertSites("LOOP-OUTSIDE");
        assertSites("LOOP-CONTINUE", "MONITOR-LOOP-A");
        assertSites("LOOP-AB", "MONITOR-LOOP-B", "MONITOR-LOOP-A");
        assertSites("LOOP-A", "MONITOR-LOOP-A");
    }

    @Test
    void lambdaBodiesAreTheirOwnMethods() {
        StackWalker.StackFrame inLambda = frame("LAMBDA-B");
        assertTrue(inLambda.getMethodName().startsWith("lambda$lambda$"), inLambda.getMethodName());
        assertSites("LAMBDA-OUTSIDE");
        assertSites("LAMBDA-B", "MONITOR-LAMBDA-B");
        assertSites("LAMBDA-IN-BLOCK");
    }

    @Test
    void tryFinallyAndReturnInsideBlocks() {
        assertSites("TF-TRY", "MONITOR-TF-A");
        assertSites("TF-AB", "MONITOR-TF-B", "MONITOR-TF-A");
        // javac copies the finally block onto the return, normal and exceptional paths: every copy is in block a
        assertSites("TF-FINALLY", "MONITOR-TF-A");
        assertSites("TF-A", "MONITOR-TF-A");
    }

    @Test
    void handlersInsideAndAroundABlock() {
        assertSites("TRY-A-INNER-TRY", "MONITOR-TRY-A", "MONITOR-TRY-C");
        assertSites("TRY-A-INNER-CATCH", "MONITOR-TRY-A", "MONITOR-TRY-C");
        // reached from inside block a only through a's own catch-all, which released a before rethrowing
        assertSites("TRY-CATCH", "MONITOR-TRY-C");
    }

    @Test
    void placesOnOneLineInDifferentBlocksAreToldApartOnlyByTheFramesCount() {
        StackWalker.StackFrame outer = frame("ONE-A");
        StackWalker.StackFrame inner = frame("ONE-AB");
        assertEquals(outer.getLineNumber(), inner.getLineNumber());
        int line = inner.getLineNumber();
        int blockA = source.line("MONITOR-ONE-A");
        int blockB = source.line("MONITOR-ONE-B");

        assertEquals(UNKNOWN, lines.acquiredAt("oneLine", line, 0), "a, or b?");
        assertEquals(blockA, lines.acquiredAt("oneLine", line, 1), "only places holding two: the second is a");
        assertEquals(blockA, lines.acquiredAt("oneLine", line, 0, 1));
        assertEquals(blockB, lines.acquiredAt("oneLine", line, 0, 2));
        assertEquals(blockA, lines.acquiredAt("oneLine", line, 1, 2));
        assertEquals(UNKNOWN, lines.acquiredAt("oneLine", line, 0, 3));
    }

    @Test
    void overloadsAnswerWhenOnlyOneHasTheLineAndUnknownWhenTheyDisagree() {
        assertSites("OV-OBJECT", "MONITOR-OV-OBJECT");
        assertSites("OV-INT", "MONITOR-OV-INT");

        StackWalker.StackFrame objectFrame = frame("SHARED-OBJECT");
        StackWalker.StackFrame intFrame = frame("SHARED-INT");
        assertEquals(objectFrame.getLineNumber(), intFrame.getLineNumber());
        assertNotEquals(source.line("MONITOR-SHARED-OBJECT"), source.line("MONITOR-SHARED-INT"));
        assertEquals(UNKNOWN, lines.acquiredAt("overloadedOnOneLine", intFrame.getLineNumber(), 0));
        assertEquals(UNKNOWN, lines.acquiredAt("overloadedOnOneLine", intFrame.getLineNumber(), 0, 1));
    }

    // ---- unknowns ----------------------------------------------------------------------------------------------

    @Test
    void unknownWithoutAUsableClassFile() {
        assertEquals(UNKNOWN, MonitorLines.of(null).acquiredAt("nested", 10, 0));
        assertEquals(UNKNOWN, MonitorLines.of(new byte[] {(byte) 0xCA, (byte) 0xFE, 1, 2}).acquiredAt("nested", 10, 0));
        int line = frame("NESTED-A").getLineNumber();
        byte[] truncated = Arrays.copyOf(fixtureBytes, fixtureBytes.length / 2);
        assertEquals(UNKNOWN, MonitorLines.of(truncated).acquiredAt("nested", line, 0));
    }

    @Test
    void unknownForMethodsLinesAndIndexesThatCannotHoldTheMonitor() {
        int line = frame("NESTED-AB").getLineNumber();
        assertEquals(source.line("MONITOR-NESTED-B"), lines.acquiredAt("nested", line, 0));

        assertEquals(UNKNOWN, lines.acquiredAt("noSuchMethod", line, 0));
        assertEquals(UNKNOWN, lines.acquiredAt(null, line, 0));
        assertEquals(UNKNOWN, lines.acquiredAt("loop", line, 0), "the line is not in that method");
        assertEquals(UNKNOWN, lines.acquiredAt("nested", 1, 0), "nor this one");
        assertEquals(UNKNOWN, lines.acquiredAt("nested", 0, 0));
        assertEquals(UNKNOWN, lines.acquiredAt("nested", -1, 0));
        assertEquals(UNKNOWN, lines.acquiredAt("nested", line, -1));
        assertEquals(UNKNOWN, lines.acquiredAt("nested", line, 2), "two blocks around the line, not three");
        assertEquals(UNKNOWN, lines.acquiredAt("nested", line, 1, 1), "k must be below the frame's count");
        assertEquals(UNKNOWN, lines.acquiredAt("nested", line, 0, 3), "no place there holds three");
        int inAt = source.line("IN-AT");
        assertEquals(UNKNOWN, lines.acquiredAt("at", inAt, 0), "a method that holds no monitor");
    }

    // ---- real threads, as the watchdog sees them ------------------------------------------------------------

    @Test
    void everyMonitorOfAThreadBlockedInNestedBlocksMapsToItsSynchronized() throws Exception {
        MonitorFixtures f = new MonitorFixtures();
        Object blocker = new Object();
        CountDownLatch entered = new CountDownLatch(1);
        Map<Integer, Integer> expected = new HashMap<>();
        expected.put(System.identityHashCode(f), source.line("FIRST-BLOCKED"));
        expected.put(System.identityHashCode(f.c), source.line("MONITOR-BLOCKED-C"));
        expected.put(System.identityHashCode(f.a), source.line("MONITOR-BLOCKED-A"));
        expected.put(System.identityHashCode(f.b), source.line("MONITOR-BLOCKED-B"));
        Thread t = new Thread(() -> f.blockedOuter(blocker, entered), "monitor-lines-blocked");
        t.setDaemon(true);
        ThreadInfo info;
        synchronized (blocker) {
            t.start();
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            awaitTrue(() -> t.getState() == Thread.State.BLOCKED);
            info = ManagementFactory.getThreadMXBean().getThreadInfo(new long[] {t.getId()}, true, false)[0];
        }
        t.join(10_000);

        int top = info.getStackTrace()[0].getLineNumber();
        assertTrue(top == source.line("BLOCKED-HERE") || top == source.line("BLOCKED-INTERPRETED"), "at " + top);
        MonitorInfo[] monitors = info.getLockedMonitors();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < monitors.length; i++) {
            MonitorInfo m = monitors[i];
            Integer line = expected.get(m.getIdentityHashCode());
            if (line == null) {
                continue; // not one of the fixture's (none expected)
            }
            seen.add(m.getIdentityHashCode());
            StackTraceElement frame = m.getLockedStackFrame();
            int k = 0;
            int held = 0;
            for (int j = 0; j < monitors.length; j++) {
                if (monitors[j].getLockedStackDepth() == m.getLockedStackDepth()) {
                    held++;
                    k += j < i ? 1 : 0;
                }
            }
            String what = m.getClassName() + " held by " + frame + " as k=" + k;
            if (m.getLockedStackDepth() == 0) { // the frame blocked entering the blocker
                assertEquals(line, lines.acquiredAtWhileEntering(frame.getMethodName(), frame.getLineNumber(), k,
                        held), what);
            } else {
                assertEquals(line, lines.acquiredAt(frame.getMethodName(), frame.getLineNumber(), k), what);
                assertEquals(line, lines.acquiredAt(frame.getMethodName(), frame.getLineNumber(), k, held), what);
            }
        }
        assertEquals(expected.keySet(), seen, "every monitor the thread holds is listed");
        MonitorInfo b = find(monitors, System.identityHashCode(f.b));
        assertNotEquals(source.line("MONITOR-BLOCKED-B"), b.getLockedStackFrame().getLineNumber(),
                "the frame's own line is where it is now, not where it took b: what this class corrects");
    }

    @Test
    void aFrameBlockedEnteringABlockIsAnsweredAtTheMonitorenterLineAndAtTheLineAfterIt() {
        int blockB = source.line("MONITOR-BLOCKED-B");
        int blockA = source.line("MONITOR-BLOCKED-A");
        int compiled = source.line("BLOCKED-HERE");
        int interpreted = source.line("BLOCKED-INTERPRETED");
        for (int line : new int[] {compiled, interpreted}) {
            assertEquals(blockB, lines.acquiredAtWhileEntering("blockedInner", line, 0, 2), "at " + line);
            assertEquals(blockA, lines.acquiredAtWhileEntering("blockedInner", line, 1, 2), "at " + line);
            assertEquals(blockB, lines.acquiredAtWhileEntering("blockedInner", line, 0, 0), "at " + line);
            assertEquals(UNKNOWN, lines.acquiredAtWhileEntering("blockedInner", line, 2, 0), "at " + line);
            assertEquals(UNKNOWN, lines.acquiredAtWhileEntering("blockedInner", line, 0, 3), "at " + line);
        }
        // Read as an ordinary frame, the interpreted line is inside the block being entered: wrong, or unknown
        // with the count.
        assertEquals(compiled, lines.acquiredAt("blockedInner", interpreted, 0));
        assertEquals(UNKNOWN, lines.acquiredAt("blockedInner", interpreted, 0, 2));
        assertEquals(blockB, lines.acquiredAt("blockedInner", compiled, 0, 2));
        assertEquals(UNKNOWN, lines.acquiredAtWhileEntering("blockedInner", source.line("MONITOR-BLOCKED-A") - 1,
                0, 0), "no monitorenter shows there");
    }

    @Test
    void aFrameWaitingOnItsInnermostMonitorDoesNotListItAndItsCountMatchesNoPlace() throws Exception {
        MonitorFixtures f = new MonitorFixtures();
        CountDownLatch entered = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                f.waitingInside(entered);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "monitor-lines-waiting");
        t.setDaemon(true);
        t.start();
        ThreadInfo info;
        try {
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            awaitTrue(() -> t.getState() == Thread.State.WAITING);
            info = ManagementFactory.getThreadMXBean().getThreadInfo(new long[] {t.getId()}, true, false)[0];
        } finally {
            synchronized (f.b) {
                f.b.notifyAll();
            }
            t.join(10_000);
        }

        MonitorInfo a = find(info.getLockedMonitors(), System.identityHashCode(f.a));
        StackTraceElement frame = a.getLockedStackFrame();
        assertEquals(source.line("WAIT-HERE"), frame.getLineNumber());
        long held = Arrays.stream(info.getLockedMonitors())
                .filter(m -> m.getLockedStackDepth() == a.getLockedStackDepth()).count();
        assertEquals(1, held, "b, waited on, is not listed");
        assertEquals(UNKNOWN, lines.acquiredAt(frame.getMethodName(), frame.getLineNumber(), 0, 1));
        // without the count, k = 0 is read as the innermost block: b's line, though the listed monitor is a
        assertEquals(source.line("MONITOR-WAIT-B"), lines.acquiredAt(frame.getMethodName(), frame.getLineNumber(), 0));
    }

    // ---- a JDK class -------------------------------------------------------------------------------------------

    @Test
    void hashtableEqualsHoldsItsTableFromItsFirstLine() throws Exception {
        byte[] bytes = ClassBytes.read(Hashtable.class);
        assertNotNull(bytes);
        int[] range = lineRange(bytes, "equals");
        MonitorLines hashtable = MonitorLines.of(bytes);
        for (int line = range[0]; line <= range[1]; line++) {
            int site = hashtable.acquiredAt("equals", line, 0);
            assertTrue(site == range[0] || site == UNKNOWN, "line " + line + ": " + site);
            assertEquals(UNKNOWN, hashtable.acquiredAt("equals", line, 1));
        }

        CountDownLatch inEquals = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Object blockingValue = new Object() {
            @Override
            public boolean equals(Object other) {
                inEquals.countDown();
                try {
                    return release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return false;
                }
            }

            @Override
            public int hashCode() {
                return 1;
            }
        };
        Hashtable<String, Object> table = new Hashtable<>(Map.of("k", blockingValue));
        Hashtable<String, Object> other = new Hashtable<>(Map.of("k", "v"));
        Thread t = new Thread(() -> table.equals(other), "monitor-lines-hashtable");
        t.setDaemon(true);
        t.start();
        ThreadInfo info;
        try {
            assertTrue(inEquals.await(10, TimeUnit.SECONDS));
            awaitTrue(() -> t.getState() == Thread.State.TIMED_WAITING);
            info = ManagementFactory.getThreadMXBean().getThreadInfo(new long[] {t.getId()}, true, false)[0];
        } finally {
            release.countDown();
            t.join(10_000);
        }
        MonitorInfo held = find(info.getLockedMonitors(), System.identityHashCode(table));
        StackTraceElement frame = held.getLockedStackFrame();
        assertEquals("java.util.Hashtable", frame.getClassName());
        assertEquals("equals", frame.getMethodName());
        assertTrue(frame.getLineNumber() > range[0]);
        assertEquals(range[0], hashtable.acquiredAt("equals", frame.getLineNumber(), 0));
        assertEquals(range[0], hashtable.acquiredAt("equals", frame.getLineNumber(), 0, 1));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /**
     * Checks that the frame recorded at {@code tag} took its monitors at the lines of {@code markers}, innermost
     * first, and holds no more.
     */
    private static void assertSites(String tag, String... markers) {
        StackWalker.StackFrame frame = frame(tag);
        assertEquals(source.lineOfCall(tag), frame.getLineNumber(), tag + ": the frame's line is the call's");
        String method = frame.getMethodName();
        int line = frame.getLineNumber();
        for (int k = 0; k < markers.length; k++) {
            int expected = source.line(markers[k]);
            String what = tag + " (" + method + ":" + line + ") k=" + k;
            assertEquals(expected, lines.acquiredAt(method, line, k), what);
            assertEquals(expected, lines.acquiredAt(method, line, k, markers.length), what + " of " + markers.length);
        }
        assertEquals(UNKNOWN, lines.acquiredAt(method, line, markers.length), tag + ": holds no more");
    }

    private static StackWalker.StackFrame frame(String tag) {
        StackWalker.StackFrame frame = MonitorFixtures.FRAMES.get(tag);
        assertNotNull(frame, tag + " was not reached");
        return frame;
    }

    private static MonitorInfo find(MonitorInfo[] monitors, int identity) {
        for (MonitorInfo m : monitors) {
            if (m.getIdentityHashCode() == identity) {
                return m;
            }
        }
        fail("not held: " + identity + " in " + Arrays.toString(monitors));
        return null;
    }

    /** The smallest and largest line of the line tables of the methods with that name. */
    private static int[] lineRange(byte[] classFile, String method) {
        int[] range = {Integer.MAX_VALUE, Integer.MIN_VALUE};
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (!name.equals(method)) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitLineNumber(int line, Label start) {
                        range[0] = Math.min(range[0], line);
                        range[1] = Math.max(range[1], line);
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        assertTrue(range[0] <= range[1], "no lines for " + method);
        return range;
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out");
            }
            Thread.sleep(5);
        }
    }
}
