package dev.lockwatch.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every demo scenario in a child JVM with the built agent: the deadlock is reported once, within the bound,
 * naming its threads and where their locks were taken; the healthy scenario ends without any report; no
 * transformation error happens.
 */
class DemoScenariosIT {
    private static final long INTERVAL_MS = 1000; // the default
    /** Long enough for the report plus at least two more watchdog ticks. */
    private static final int RUN_SECONDS = 5;

    /** A scenario, its threads (in any order), and lines the report must contain (regular expressions). */
    record Expected(String scenario, List<String> threads, List<String> patterns, boolean timed) {
        @Override
        public String toString() {
            return scenario;
        }
    }

    static Stream<Expected> deadlocks() {
        return Stream.of(
                new Expected("monitor-abba", List.of("monitor-A-then-B", "monitor-B-then-A"), List.of(
                        "waits for monitor dev\\.lockwatch\\.demo\\.MonitorAbba\\$MonitorB@\\p{XDigit}+, held by \"monitor-B-then-A\"",
                        "holds monitor dev\\.lockwatch\\.demo\\.MonitorAbba\\$MonitorA@\\p{XDigit}+, acquired at dev\\.lockwatch\\.demo\\.MonitorAbba\\.aThenB\\(MonitorAbba\\.java:\\d+\\)",
                        "holds monitor .*, acquired at dev\\.lockwatch\\.demo\\.MonitorAbba\\.bThenA\\(MonitorAbba\\.java:\\d+\\)"), false),
                new Expected("lock-abba", List.of("lock-A-then-B", "lock-B-then-A"), List.of(
                        "waits for lock java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\p{XDigit}+, held by \"lock-B-then-A\"",
                        "holds lock java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$FairSync@\\p{XDigit}+, acquired at dev\\.lockwatch\\.demo\\.LockAbba\\.aThenB\\(LockAbba\\.java:\\d+\\)",
                        "holds lock .*, acquired at dev\\.lockwatch\\.demo\\.LockAbba\\.bThenA\\(LockAbba\\.java:\\d+\\)"), false),
                new Expected("mixed", List.of("mixed-monitor-then-lock", "mixed-lock-then-monitor"), List.of(
                        "holds monitor .*, acquired at dev\\.lockwatch\\.demo\\.MixedCycle\\.monitorThenLock\\(MixedCycle\\.java:\\d+\\)",
                        "holds lock java\\.util\\.concurrent\\.locks\\.ReentrantLock.*, acquired at dev\\.lockwatch\\.demo\\.MixedCycle\\.lockThenMonitor\\(MixedCycle\\.java:\\d+\\)",
                        "waits for monitor .*, held by \"mixed-monitor-then-lock\"",
                        "waits for lock .*, held by \"mixed-lock-then-monitor\""), false),
                new Expected("rw-cycle", List.of("rw-read-A-write-B", "rw-read-B-write-A"), List.of(
                        "waits for write lock java\\.util\\.concurrent\\.locks\\.ReentrantReadWriteLock.*, held by \"rw-read-B-write-A\"",
                        "holds read lock .*, acquired at dev\\.lockwatch\\.demo\\.ReadWriteCycle\\.readAWriteB\\(ReadWriteCycle\\.java:\\d+\\)",
                        "holds read lock .*, acquired at dev\\.lockwatch\\.demo\\.ReadWriteCycle\\.readBWriteA\\(ReadWriteCycle\\.java:\\d+\\)"), false),
                new Expected("rw-upgrade", List.of("rw-upgrader"), List.of(
                        "DEADLOCK: 1 thread waits for itself",
                        "waits for write lock .*, held by \"rw-upgrader\"",
                        "holds read lock .*, acquired at dev\\.lockwatch\\.demo\\.ReadWriteUpgrade\\.upgrade\\(ReadWriteUpgrade\\.java:\\d+\\)"), false),
                new Expected("three-cycle", List.of("ring-1", "ring-2", "ring-3"), List.of(
                        "DEADLOCK: 3 threads",
                        "acquired at dev\\.lockwatch\\.demo\\.ThreeLockRing\\.holdThenWant\\(ThreeLockRing\\.java:\\d+\\)"), false),
                new Expected("timed-cycle", List.of("timed-A-then-B", "untimed-B-then-A"), List.of(
                        "a wait in the cycle has a timeout",
                        "waits for lock .* with a timeout, held by \"untimed-B-then-A\"",
                        "acquired at dev\\.lockwatch\\.demo\\.TimedCycle\\.aThenTimedB\\(TimedCycle\\.java:\\d+\\)"), true),
                new Expected("hashtable", List.of("hashtable-1", "hashtable-2"), List.of(
                        "waits for monitor java\\.util\\.Hashtable@\\p{XDigit}+",
                        "holds monitor java\\.util\\.Hashtable@\\p{XDigit}+, acquired at dev\\.lockwatch\\.demo\\.HashtableCycle\\.compareOneToTwo\\(HashtableCycle\\.java:\\d+\\)",
                        "at java\\.base.*/java\\.util\\.Hashtable\\.equals"), false),
                new Expected("synchronized-list", List.of("synclist-1", "synclist-2"), List.of(
                        "waits for monitor java\\.util\\.Collections\\$Synchronized\\w*List@\\p{XDigit}+",
                        "holds monitor .*, acquired at dev\\.lockwatch\\.demo\\.SynchronizedListCycle\\.removeTwoFromOne\\(SynchronizedListCycle\\.java:\\d+\\)",
                        "at java\\.base.*/java\\.util\\.Collections\\$SynchronizedCollection\\.removeAll"), false),
                new Expected("queue-drain", List.of("drain-1-to-2", "drain-2-to-1"), List.of(
                        "waits for lock java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\p{XDigit}+, held by \"drain-2-to-1\"",
                        "holds lock java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\p{XDigit}+, site not recorded",
                        "at java\\.base.*/java\\.util\\.concurrent\\.ArrayBlockingQueue\\.drainTo"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deadlocks")
    void deadlockIsReportedOnceWithThreadsAndSites(Expected expected) throws Exception {
        try (ChildJvm child = ChildJvm.demo(expected.scenario(), "", List.of(), RUN_SECONDS)) {
            int stuck = child.awaitLine("threads stuck");
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            String text = report.text();

            assertTrue(text.lines().findFirst().orElseThrow().contains("DEADLOCK"), text);
            ReportAssertions.namesThreadsAndMatches(text, expected.threads(), expected.patterns());
            ReportAssertions.cameWithin(child, stuck, report, expected.scenario(), (expected.timed() ? 2 : 1) * INTERVAL_MS + 1500);

            // Logged once, not at every tick: the demo runs on for several more ticks, then exits by itself.
            assertEquals(0, child.awaitExit(Duration.ofSeconds(RUN_SECONDS + 30)), child.output());
            assertEquals(1, child.countLines(l -> l.contains("ERROR DEADLOCK")), child.output());
            assertTrue(child.output().contains("transformation errors=0,"), child.output());
        }
    }

    /**
     * Issue 12: a monitor's "acquired at" was the line its frame is at now, 2 to 4 lines below its
     * {@code synchronized}. Now the exact line, from the class file: in application code (the demo's own
     * {@code synchronized} blocks, also where JDK code re-enters them); the class-file side, synchronized methods
     * and JDK classes included, is covered by {@code MonitorLinesTest}.
     */
    @Test
    void monitorSitesNameTheLineOfTheirSynchronizedStatement() throws Exception {
        List<String> source = java.nio.file.Files.readAllLines(ChildJvm.DEMO_JAR.getParent().getParent()
                .resolve("src/main/java/dev/lockwatch/demo/MonitorAbba.java"));
        int aLine = lineOf(source, "synchronized (a)", "aThenB");
        int bLine = lineOf(source, "synchronized (b)", "bThenA");
        try (ChildJvm child = ChildJvm.demo("monitor-abba", "", List.of(), RUN_SECONDS)) {
            String text = child.awaitReport("DEADLOCK").text();
            assertTrue(text.contains("acquired at dev.lockwatch.demo.MonitorAbba.aThenB(MonitorAbba.java:" + aLine + ")"), text);
            assertTrue(text.contains("acquired at dev.lockwatch.demo.MonitorAbba.bThenA(MonitorAbba.java:" + bLine + ")"), text);
        }
        // The monitor a thread re-enters in JDK code (Hashtable.equals) is named where it was first entered.
        List<String> hashtable = java.nio.file.Files.readAllLines(ChildJvm.DEMO_JAR.getParent().getParent()
                .resolve("src/main/java/dev/lockwatch/demo/HashtableCycle.java"));
        int h1 = lineOf(hashtable, "synchronized (h1)", "compareOneToTwo");
        try (ChildJvm child = ChildJvm.demo("hashtable", "", List.of(), RUN_SECONDS)) {
            String text = child.awaitReport("DEADLOCK").text();
            assertTrue(text.contains("acquired at dev.lockwatch.demo.HashtableCycle.compareOneToTwo(HashtableCycle.java:" + h1 + ")"), text);
        }
    }

    /** The line of {@code statement} in the method that starts with {@code method}'s declaration. */
    private static int lineOf(List<String> source, String statement, String method) {
        boolean inMethod = false;
        for (int i = 0; i < source.size(); i++) {
            inMethod |= source.get(i).contains(" " + method + "(");
            if (inMethod && source.get(i).contains(statement)) {
                return i + 1;
            }
        }
        throw new AssertionError(statement + " not found in " + method);
    }

    @Test
    void healthyScenarioEndsWithoutAnyReport() throws Exception {
        try (ChildJvm child = ChildJvm.demo("healthy", "interval=100ms", List.of(), 6)) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)));
            String out = child.output();
            assertTrue(out.contains("demo: healthy: done"), out);
            assertTrue(out.contains("Lockwatch 0.1.0 started"), out);
            for (String kind : List.of("DEADLOCK", "STARVATION", "HANG", "LOCK_ORDER", "HELD_WHILE_BLOCKING")) {
                assertTrue(!out.contains(kind), "healthy run must have no " + kind + ":\n" + out);
            }
            assertTrue(out.contains("transformation errors=0,"), out);
        }
    }
}
