package dev.lockwatch.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The executor hand-off scenarios of the demo in a child JVM with the built agent: a cycle through a future and a
 * lock is reported as a DEADLOCK, a pool whose workers wait for tasks queued behind them as STARVATION, each once,
 * naming the threads, the pool and where the locks were taken; the lock held across the future's wait is not warned
 * about on top of the deadlock (issue 12: the DEADLOCK says it, and more); the busy healthy hand-off scenarios end
 * without any report.
 */
class HandoffScenariosIT {
    private static final long INTERVAL_MS = 1000; // the default
    /** Long enough for the report (STARVATION needs two checks) plus at least two more watchdog ticks. */
    private static final int RUN_SECONDS = 5;
    private static final List<String> KINDS = List.of("DEADLOCK", "STARVATION", "HANG", "HELD_WHILE_BLOCKING", "LOCK_ORDER");

    /**
     * A stuck scenario: the report kind, its threads (in any order), lines the report must contain (regular
     * expressions), and the thread that blocks on a future while holding a lock (its site), or null: its deadlock
     * report names the lock and where it was taken, and no HELD_WHILE_BLOCKING repeats it.
     */
    record Expected(String scenario, String kind, List<String> threads, List<String> patterns,
                    String heldWhileBlocking, String heldSite) {
        @Override
        public String toString() {
            return scenario;
        }
    }

    static Stream<Expected> stuck() {
        return Stream.of(
                new Expected("future-lock", "DEADLOCK", List.of("lock-holder", "future-lock-worker"), List.of(
                        "waits for task java\\.util\\.concurrent\\.FutureTask@\\p{XDigit}+.*, running on \"future-lock-worker\"",
                        "waits for lock java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\p{XDigit}+, held by \"lock-holder\"",
                        "holds lock java\\.util\\.concurrent\\.locks\\.ReentrantLock.*, acquired at dev\\.lockwatch\\.demo\\.FutureLockCycle\\.lockThenWaitForRefresh\\(FutureLockCycle\\.java:\\d+\\)",
                        "at .*dev\\.lockwatch\\.demo\\.FutureLockCycle\\.refresh\\(FutureLockCycle\\.java:\\d+\\)"),
                        "lock-holder", "dev\\.lockwatch\\.demo\\.FutureLockCycle\\.lockThenWaitForRefresh\\(FutureLockCycle\\.java:\\d+\\)"),
                new Expected("join-monitor", "DEADLOCK", List.of("monitor-holder", "join-monitor-worker"), List.of(
                        "waits for task java\\.util\\.concurrent\\.CompletableFuture@\\p{XDigit}+.*, running on \"join-monitor-worker\"",
                        "waits for monitor dev\\.lockwatch\\.demo\\.JoinMonitorCycle\\$ServiceRegistry@\\p{XDigit}+, held by \"monitor-holder\"",
                        "holds monitor dev\\.lockwatch\\.demo\\.JoinMonitorCycle\\$ServiceRegistry@\\p{XDigit}+, acquired at dev\\.lockwatch\\.demo\\.JoinMonitorCycle\\.lockThenJoin\\(JoinMonitorCycle\\.java:\\d+\\)",
                        "at .*dev\\.lockwatch\\.demo\\.JoinMonitorCycle\\.countServices\\(JoinMonitorCycle\\.java:\\d+\\)"),
                        "monitor-holder", "dev\\.lockwatch\\.demo\\.JoinMonitorCycle\\.lockThenJoin\\(JoinMonitorCycle\\.java:\\d+\\)"),
                // the joined stage has no task of its own: it completes after the asynchronous stage before it
                new Expected("chain-lock", "DEADLOCK", List.of("ledger-holder", "chain-lock-worker"), List.of(
                        "waits for task java\\.util\\.concurrent\\.CompletableFuture@\\p{XDigit}+.*, running on \"chain-lock-worker\"",
                        "waits for lock java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\p{XDigit}+, held by \"ledger-holder\"",
                        "holds lock java\\.util\\.concurrent\\.locks\\.ReentrantLock.*, acquired at dev\\.lockwatch\\.demo\\.ChainLockCycle\\.lockThenJoinSummary\\(ChainLockCycle\\.java:\\d+\\)",
                        "at .*dev\\.lockwatch\\.demo\\.ChainLockCycle\\$LoadLedger\\.get\\(ChainLockCycle\\.java:\\d+\\)"),
                        "ledger-holder", "dev\\.lockwatch\\.demo\\.ChainLockCycle\\.lockThenJoinSummary\\(ChainLockCycle\\.java:\\d+\\)"),
                // the pool thread runs thenApply's function as it completes the first stage
                new Expected("chain-continuation", "DEADLOCK", List.of("ledger-holder", "chain-continuation-worker"), List.of(
                        "waits for task java\\.util\\.concurrent\\.CompletableFuture@\\p{XDigit}+.*, running on \"chain-continuation-worker\"",
                        "waits for lock java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\p{XDigit}+, held by \"ledger-holder\"",
                        "at .*dev\\.lockwatch\\.demo\\.ChainLockCycle\\.summarize\\(ChainLockCycle\\.java:\\d+\\)"),
                        "ledger-holder", "dev\\.lockwatch\\.demo\\.ChainLockCycle\\.lockThenJoinSummary\\(ChainLockCycle\\.java:\\d+\\)"),
                new Expected("cache-deadlock", "DEADLOCK", List.of("cache-caller", "cache-compute-1"), List.of(
                        "waits for task java\\.util\\.concurrent\\.FutureTask@\\p{XDigit}+.*, running on \"cache-compute-1\"",
                        "waits for lock java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\p{XDigit}+, held by \"cache-caller\"",
                        "holds lock java\\.util\\.concurrent\\.locks\\.ReentrantLock.*, acquired at dev\\.lockwatch\\.demo\\.ComputingCache\\.getOrCompute\\(ComputingCache\\.java:\\d+\\)",
                        "at .*dev\\.lockwatch\\.demo\\.CacheDeadlock\\.price\\(CacheDeadlock\\.java:\\d+\\)"),
                        "cache-caller", "dev\\.lockwatch\\.demo\\.ComputingCache\\.getOrCompute\\(ComputingCache\\.java:\\d+\\)"),
                new Expected("single-thread-starvation", "STARVATION", List.of("single-worker"), List.of(
                        "STARVATION: pool java\\.util\\.concurrent\\.ThreadPoolExecutor@\\p{XDigit}+ has all 1 worker stuck",
                        "queued tasks that cannot start:\n\\s+java\\.util\\.concurrent\\.FutureTask@\\p{XDigit}+ \\(.*SingleThreadStarvation\\$ReportPart\\), waited for by \"single-worker\"",
                        "waits for task java\\.util\\.concurrent\\.FutureTask@\\p{XDigit}+.*, queued in pool java\\.util\\.concurrent\\.ThreadPoolExecutor@\\p{XDigit}+",
                        "at .*dev\\.lockwatch\\.demo\\.SingleThreadStarvation\\$ReportTask\\.call\\(SingleThreadStarvation\\.java:\\d+\\)"),
                        null, null),
                new Expected("pool-starvation", "STARVATION", List.of("pool-worker-1", "pool-worker-2"), List.of(
                        "STARVATION: pool java\\.util\\.concurrent\\.ThreadPoolExecutor@\\p{XDigit}+ has all 2 workers stuck",
                        "FutureTask@\\p{XDigit}+ \\(.*PoolStarvation\\$BatchPart\\), waited for by \"pool-worker-1\"",
                        "FutureTask@\\p{XDigit}+ \\(.*PoolStarvation\\$BatchPart\\), waited for by \"pool-worker-2\"",
                        "waits for task java\\.util\\.concurrent\\.FutureTask@\\p{XDigit}+.*, queued in pool java\\.util\\.concurrent\\.ThreadPoolExecutor@\\p{XDigit}+",
                        "at .*dev\\.lockwatch\\.demo\\.PoolStarvation\\$BatchTask\\.call\\(PoolStarvation\\.java:\\d+\\)"),
                        null, null),
                new Expected("chain-starvation", "STARVATION", List.of("chain-single-worker"), List.of(
                        "STARVATION: pool java\\.util\\.concurrent\\.ThreadPoolExecutor@\\p{XDigit}+ has all 1 worker stuck",
                        "queued tasks that cannot start:\n\\s+java\\.util\\.concurrent\\.CompletableFuture\\$AsyncSupply@\\p{XDigit}+ \\(.*ChainStarvation\\$PriceLines\\), waited for by \"chain-single-worker\"",
                        "waits for task java\\.util\\.concurrent\\.CompletableFuture\\$AsyncSupply@\\p{XDigit}+ \\(.*PriceLines\\), queued in pool java\\.util\\.concurrent\\.ThreadPoolExecutor@\\p{XDigit}+",
                        "at .*dev\\.lockwatch\\.demo\\.ChainStarvation\\$BuildInvoice\\.run\\(ChainStarvation\\.java:\\d+\\)"),
                        null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stuck")
    void handoffIsReportedOnceWithThreadsPoolAndSites(Expected expected) throws Exception {
        try (ChildJvm child = ChildJvm.demo(expected.scenario(), "", List.of(), RUN_SECONDS)) {
            int stuckLine = child.awaitLine(l -> l.startsWith("demo: " + expected.scenario() + ": threads "), 0,
                    ChildJvm.DEFAULT_WAIT, "saying whether the threads got stuck");
            String stuck = "demo: " + expected.scenario() + ": threads stuck: " + String.join(", ", expected.threads());
            assertTrue(child.output().contains(stuck), "expected '" + stuck + "'; output was:\n" + child.output());

            ChildJvm.Report report = child.awaitReport(expected.kind());
            String text = report.text();
            assertTrue(text.lines().findFirst().orElseThrow().contains("ERROR " + expected.kind() + ":"), text);
            ReportAssertions.namesThreadsAndMatches(text, expected.threads(), expected.patterns());
            long checks = expected.kind().equals("STARVATION") ? 2 : 1; // starvation is reported at the second check
            ReportAssertions.cameWithin(child, stuckLine, report, expected.scenario(), checks * INTERVAL_MS + 1500);

            if (expected.heldWhileBlocking() != null) {
                assertTrue(Pattern.compile("\n    holds (lock|monitor) .*, acquired at " + expected.heldSite()).matcher(text).find(),
                        "the deadlock names where the lock held across the wait was taken:\n" + text);
            }

            // Each logged once, not at every tick: the demo runs on for several more ticks, then exits by itself.
            assertEquals(0, child.awaitExit(Duration.ofSeconds(RUN_SECONDS + 30)), child.output());
            String out = child.output();
            assertEquals(1, child.countLines(l -> l.contains("ERROR " + expected.kind() + ":")), out);
            for (String other : KINDS) {
                if (!other.equals(expected.kind())) {
                    assertFalse(out.contains(other), expected.scenario() + " must have no " + other + ":\n" + out);
                }
            }
            assertTrue(out.contains("transformation errors=0,"), out);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cache-fixed", "handoff-healthy"})
    void busyHandoffsEndWithoutAnyReport(String scenario) throws Exception {
        try (ChildJvm child = ChildJvm.demo(scenario, "interval=200ms", List.of(), 6)) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child.output());
            String out = child.output();
            Matcher done = Pattern.compile("demo: " + scenario + ": done, (\\d+) (lookups|futures)").matcher(out);
            assertTrue(done.find(), out);
            assertTrue(Long.parseLong(done.group(1)) > 0, "the scenario did some work:\n" + out);
            assertFalse(out.contains("Exception in thread"), "no scenario thread failed:\n" + out);
            for (String kind : KINDS) {
                assertFalse(out.contains(kind), scenario + " must have no " + kind + ":\n" + out);
            }
            assertTrue(out.contains("transformation errors=0,"), out);
        }
    }
}
