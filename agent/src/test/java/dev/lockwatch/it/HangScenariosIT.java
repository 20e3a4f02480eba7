package dev.lockwatch.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HANG: threads stuck for good without a cycle, each scenario in a child JVM with a short {@code hangAfter}. Each
 * is reported once, naming the stuck thread, what it waits for, why nothing will end the wait, and who should have
 * woken it where the agent knows.
 */
class HangScenariosIT {
    private static final long INTERVAL_MS = 200;
    private static final long HANG_AFTER_MS = 1000;
    static final String OPTIONS = "interval=" + INTERVAL_MS + "ms,hangAfter=" + HANG_AFTER_MS + "ms";
    /**
     * hangAfter plus one interval (a JVM-only wait is timed from the first check that sees it, and the watchdog checks
     * again when it reaches hangAfter), plus slack for a loaded CI machine.
     */
    private static final long BOUND_MS = HANG_AFTER_MS + INTERVAL_MS + 1500;

    /**
     * @param threads  every thread the report names with a stack (roots, then the threads behind them)
     * @param patterns what the report must say
     */
    record Expected(String scenario, List<String> threads, List<String> patterns) {
        @Override
        public String toString() {
            return scenario;
        }
    }

    static Stream<Expected> hangs() {
        return Stream.of(
                new Expected("hang-future-never-completed", List.of("response-waiter"), List.of(
                        "HANG: \"response-waiter\" has made no progress for \\d+ s waiting for future java.util.concurrent.CompletableFuture@",
                        "why it is stuck: no other thread could wake it",
                        "who should wake it: no thread runs this future and no pool the agent knows has it queued")),
                new Expected("hang-producer-died", List.of("latch-waiter"), List.of(
                        "waiting for latch java.util.concurrent.CountDownLatch\\$Sync@",
                        "why it is stuck: no other thread could wake it",
                        "who should wake it: \"latch-producer\" \\(id \\d+\\), ended shortly before or while it waited",
                        "at app//dev.lockwatch.demo.HangScenarios\\$ProducerDied.lambda")),
                new Expected("hang-lost-notify", List.of("notify-waiter"), List.of(
                        "waiting for monitor wait java.lang.Object@",
                        "why it is stuck: no other thread could wake it",
                        "who should wake it: \"early-notifier\"")),
                new Expected("hang-held-lock-root",
                        List.of("cache-refresher", "cache-request-1", "cache-request-2", "cache-request-3"), List.of(
                        "HANG: \"cache-refresher\" has made no progress for \\d+ s waiting for latch .*; 3 threads are stuck behind it",
                        "why it is stuck: it has made no progress for longer than hangAfter while 3 threads wait for locks it holds",
                        "holds monitor java.lang.Object@\\w+, acquired at dev.lockwatch.demo.HangScenarios\\$HeldLockRoot.lambda",
                        "stuck behind it:")),
                new Expected("hang-semaphore-leak", List.of("permit-waiter"), List.of(
                        "waiting for semaphore java.util.concurrent.Semaphore\\$NonfairSync@",
                        "who should wake it: \"permit-taker\"")),
                new Expected("hang-dead-owner", List.of("ledger-waiter"), List.of(
                        "waiting for lock java.util.concurrent.locks.ReentrantLock\\$NonfairSync@",
                        "why it is stuck: the thread that holds it, \"ledger-owner\", has ended without releasing it",
                        "who should wake it: \"ledger-owner\" \\(id \\d+\\), took the lock and never released it; it has ended")),
                new Expected("hang-dead-reader", List.of("report-writer"), List.of(
                        "waiting for write lock java.util.concurrent.locks.ReentrantReadWriteLock\\$NonfairSync@",
                        "why it is stuck: the thread that holds it for reading, \"report-reader\", has ended without releasing it",
                        "who should wake it: \"report-reader\" \\(id \\d+\\), took the read lock and never released it; it has ended")),
                new Expected("hang-handrolled-lock", List.of("journal-waiter"), List.of(
                        "waiting for monitor wait dev.lockwatch.demo.HangScenarios\\$HandRolledLockOwnerDied\\$HandRolledLock@",
                        "why it is stuck: the monitor's field HandRolledLock.owner names \"journal-owner\", which has ended",
                        "who should wake it: \"journal-owner\" \\(id \\d+\\), is named as the owner by the awaited object; it has ended",
                        "at app//dev.lockwatch.demo.HangScenarios\\$HandRolledLockOwnerDied\\$HandRolledLock.lock")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hangs")
    void aHangIsReportedOnceWithWhatItWaitsForAndWhoShouldWakeIt(Expected expected) throws Exception {
        try (ChildJvm child = ChildJvm.demo(expected.scenario(), OPTIONS, List.of(), 60)) {
            int stuck = child.awaitLine("demo: " + expected.scenario() + ": threads stuck");
            ChildJvm.Report report = child.awaitReport("HANG");
            // A thread that could still act (one that is to end soon, sleeping) keeps rule 3c from firing: the
            // bound runs from the later of the two moments.
            int ends = (int) child.countLines(l -> l.matches("demo: \\S+ ends"));
            if (ends > 0) {
                stuck = Math.max(stuck, child.awaitLine(l -> l.matches("demo: \\S+ ends"), 0, ChildJvm.DEFAULT_WAIT, "ends"));
            }
            String text = report.text();
            ReportAssertions.namesThreadsAndMatches(text, expected.threads(), expected.patterns());
            ReportAssertions.cameWithin(child, stuck, report, expected.scenario(), BOUND_MS);
            assertTrue(text.contains("since "), text);
            // Absence needs time: a few more checks, in which a second report (per thread, say) would come.
            Thread.sleep(5 * INTERVAL_MS);
            child.stop();
            String out = child.output();
            assertEquals(1, child.countLines(l -> l.contains("ERROR HANG:")), "one HANG:\n" + out);
            assertEquals(0, child.countLines(l -> l.contains("DEADLOCK") || l.contains("STARVATION")), out);
        }
    }

    private static final List<String> KINDS = List.of("DEADLOCK", "STARVATION", "HANG", "LOCK_ORDER", "HELD_WHILE_BLOCKING");

    /**
     * Issue 14's list of what must never be reported, all at once: idle pools, queue, timer, selector, accept,
     * sleeps, a join on a busy thread, and waits that last longer than hangAfter=5s but end (after 7 to 9 s).
     */
    @Test
    void waitsThatEndLateAndIdleThreadsAreNeverReported() throws Exception {
        try (ChildJvm child = ChildJvm.demo("hang-healthy", "interval=" + INTERVAL_MS + "ms,hangAfter=5s", List.of(), 16)) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(90)), child.output());
            String out = child.output();
            assertTrue(out.contains("demo: hang-healthy: done"), out);
            for (String kind : KINDS) {
                assertTrue(!out.contains(kind), "healthy run must have no " + kind + ":\n" + out);
            }
            assertTrue(out.contains("transformation errors=0,"), out);
        }
    }

    /**
     * Only idle threads, and main joins one without a timeout: nothing could wake anything (rule 3c holds), so
     * only the idle-loop rule keeps them out of a report.
     */
    @Test
    void idleThreadsAreNeverReportedEvenWhenNothingCouldWakeThem() throws Exception {
        try (ChildJvm child = ChildJvm.demo("hang-healthy-idle", OPTIONS, List.of(), 60)) {
            child.awaitLine("demo: hang-healthy-idle: idle threads started");
            // Absence needs time: hangAfter three times over, at 5 checks a second.
            Thread.sleep(3 * HANG_AFTER_MS + 2 * INTERVAL_MS);
            child.stop();
            String out = child.output();
            for (String kind : KINDS) {
                assertTrue(!out.contains(kind), "idle threads must give no " + kind + ":\n" + out);
            }
        }
    }

    /** Issue 10 item 13 end to end: the JSON event's flat keys name the dead owner, and onHang=exit=7 halts. */
    @Test
    void aDeadOwnerIsNamedInJsonAndOnHangExitHalts() throws Exception {
        try (ChildJvm child = ChildJvm.demo("hang-dead-owner", OPTIONS + ",format=json,onHang=exit=7", List.of(), 60)) {
            assertEquals(7, child.awaitExit(Duration.ofSeconds(60)), child.output());
            List<Map<String, String>> events = new ArrayList<>();
            for (String line : child.output().lines().filter(l -> l.startsWith("{")).collect(Collectors.toList())) {
                Map<String, String> kv = JsonLine.keyValues(JsonLine.parseObject(line));
                if (!kv.isEmpty()) {
                    events.add(kv);
                }
            }
            assertEquals(1, events.size(), child.output());
            Map<String, String> kv = events.get(0);
            assertEquals("HANG", kv.get("kind"), kv.toString());
            assertTrue(kv.get("fingerprint").matches("[0-9a-f]{16}"), kv.toString());
            assertEquals("1", kv.get("rootCount"), kv.toString());
            assertEquals("ledger-waiter", kv.get("root.0.thread"), kv.toString());
            assertEquals("lock", kv.get("root.0.waitKind"), kv.toString());
            assertTrue(kv.get("root.0.waitsFor").startsWith("java.util.concurrent.locks.ReentrantLock$NonfairSync@"), kv.toString());
            assertEquals("ledger-owner", kv.get("root.0.waker.0.name"), kv.toString());
            assertEquals("false", kv.get("root.0.waker.0.alive"), kv.toString());
            assertEquals("0", kv.get("behindCount"), kv.toString());
            assertEquals("ledger-waiter", kv.get("thread.0.name"), kv.toString());
        }
    }

    /** Issue 10 item 13: status says that the owner of the awaited lock is dead. */
    @Test
    void statusSaysTheOwnerHasEnded() throws Exception {
        try (ChildJvm child = ChildJvm.demo("hang-dead-owner", OPTIONS, List.of(), 60)) {
            child.awaitReport("HANG");
            try (ChildJvm status = OperationsIT.agentCommand("status", String.valueOf(child.pid()))) {
                assertEquals(0, status.awaitExit(Duration.ofSeconds(60)), status.output());
                String out = status.output();
                assertTrue(out.contains("hang 1,"), out);
                assertTrue(Pattern.compile("\"ledger-waiter\" \\(id \\d+\\) waits for lock java.util.concurrent.locks.ReentrantLock"
                        + "\\$NonfairSync@\\w+, held by \"ledger-owner\" \\(id \\d+\\), whose thread has ended: it will never"
                        + " release it").matcher(out).find(), out);
            }
        }
    }
}
