package dev.lockwatch.it;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14, scenario 8: semaphores used as mutexes deadlock, and are reported as DEADLOCK (not HANG), naming the
 * threads and who took the permits; busy semaphores and hand-offs (a permit released by another thread than its
 * taker) are never reported. Child JVMs with the built agent and permits=on; with the default (off) the Semaphore
 * classes are not hooked and a semaphore deadlock is not reported as one.
 */
class SemaphoreScenariosIT {
    private static final long INTERVAL_MS = 200;
    /** hangAfter short, so that a HANG would have had its chance before the run ends. */
    private static final String OPTIONS = "interval=" + INTERVAL_MS + "ms,hangAfter=1s,permits=on";
    private static final int RUN_SECONDS = 5;
    private static final List<String> KINDS = List.of("DEADLOCK", "STARVATION", "HANG", "LOCK_ORDER", "HELD_WHILE_BLOCKING");
    private static final String SEMAPHORE = "java\\.util\\.concurrent\\.Semaphore\\$(Fair|Nonfair)Sync@\\p{XDigit}+";

    @Test
    void twoThreadsHoldingEachOthersPermitAreADeadlock() throws Exception {
        deadlockReported("semaphore-abba", List.of("permit-a", "permit-b"), List.of(
                "DEADLOCK: 2 threads wait for each other",
                "waits for a permit of semaphore " + SEMAPHORE + ", no permit left; taken and not released by \"permit-b\"",
                "waits for a permit of semaphore " + SEMAPHORE + ", no permit left; taken and not released by \"permit-a\"",
                "holds a permit of semaphore " + SEMAPHORE));
    }

    @Test
    void aThreadAskingAgainForTheOnlyPermitWaitsForItself() throws Exception {
        deadlockReported("semaphore-again", List.of("permit-again"), List.of(
                "DEADLOCK: 1 thread waits for itself",
                "waits for a permit of semaphore " + SEMAPHORE + ", no permit left; taken and not released by \"permit-again\""));
    }

    /**
     * permits=off (the default): no holder is recorded, so the wait for a permit has no edge and there is no
     * DEADLOCK. Nor a HANG: the demo's main thread sleeps until the run ends, a live thread that could still release
     * a permit (HANG rule 3c), so nothing at all is reported, as before permits were recorded.
     */
    @Test
    void withPermitsOffASemaphoreDeadlockIsNotReported() throws Exception {
        try (ChildJvm child = ChildJvm.demo("semaphore-abba", "interval=" + INTERVAL_MS + "ms,hangAfter=1s", List.of(), RUN_SECONDS)) {
            child.awaitLine("demo: semaphore-abba: threads stuck");
            assertEquals(0, child.awaitExit(Duration.ofSeconds(RUN_SECONDS + 30)), child.output());
            String out = child.output();
            assertTrue(out.contains("permits=off"), "the start-up line says so:\n" + out);
            for (String kind : KINDS) {
                assertTrue(!out.contains(kind), "permits=off must report no " + kind + ":\n" + out);
            }
            assertTrue(out.contains("reports: deadlock=0, starvation=0, hang=0,"), out);
            assertTrue(out.contains("transformation errors=0,"), out);
        }
    }

    /** One DEADLOCK, naming the threads, within one interval and 1.5 s of the threads getting stuck; no HANG. */
    private static void deadlockReported(String scenario, List<String> threads, List<String> patterns) throws Exception {
        try (ChildJvm child = ChildJvm.demo(scenario, OPTIONS, List.of(), RUN_SECONDS)) {
            int stuck = child.awaitLine("demo: " + scenario + ": threads stuck");
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            String text = report.text();
            assertTrue(text.lines().findFirst().orElseThrow().contains("DEADLOCK"), text);
            ReportAssertions.namesThreadsAndMatches(text, threads, patterns);
            ReportAssertions.cameWithin(child, stuck, report, scenario, INTERVAL_MS + 1500);

            assertEquals(0, child.awaitExit(Duration.ofSeconds(RUN_SECONDS + 30)), child.output());
            String out = child.output();
            assertEquals(1, child.countLines(l -> l.contains("ERROR DEADLOCK")), out);
            assertEquals(0, child.countLines(l -> l.contains("HANG")), "a deadlock, not a hang:\n" + out);
            assertTrue(out.contains("transformation errors=0,"), out);
        }
    }

    /**
     * Six threads churn through three permits for 10 s; a permit is handed off (taken by one thread, released by
     * another) while a third thread waits for it, at first plainly, then in rounds shaped like a cycle that the
     * releasing thread ends. Nothing may be reported.
     */
    @Test
    void busySemaphoresAndHandOffsAreNeverReported() throws Exception {
        try (ChildJvm child = ChildJvm.demo("semaphore-healthy", "interval=100ms,hangAfter=1s,permits=on", List.of(), 10)) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(90)), child.output());
            String out = child.output();
            Matcher done = Pattern.compile("demo: semaphore-healthy: done, (\\d+) permits taken, (\\d+) hand-offs").matcher(out);
            assertTrue(done.find(), out);
            assertTrue(Long.parseLong(done.group(1)) > 1000, "the churn ran:\n" + out);
            assertTrue(Long.parseLong(done.group(2)) >= 5, "the hand-off rounds ran:\n" + out);
            for (String kind : KINDS) {
                assertTrue(!out.contains(kind), "healthy run must have no " + kind + ":\n" + out);
            }
            assertTrue(out.contains("transformation errors=0,"), out);
        }
    }
}
