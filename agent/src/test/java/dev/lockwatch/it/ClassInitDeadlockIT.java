package dev.lockwatch.it;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14, scenario 7: a class-initialization deadlock, which the JVM shows as two RUNNABLE threads holding nothing,
 * is a DEADLOCK naming both threads and both classes; a static initializer that is only slow gives no event.
 */
class ClassInitDeadlockIT {
    private static final long INTERVAL_MS = 200;
    private static final String OPTIONS = "interval=" + INTERVAL_MS + "ms";
    private static final String A = "dev.lockwatch.demo.ClassInitScenarios$InitA";
    private static final String B = "dev.lockwatch.demo.ClassInitScenarios$InitB";
    /**
     * The threads are frozen from the first check after they stick; an edge needs a second check that sees the same
     * CPU times, the report a third (two checks of the same cycle); then slack for a loaded machine.
     */
    private static final long BOUND_MS = 3 * INTERVAL_MS + 1500;

    @Test
    void classInitializationDeadlockIsReportedWithThreadsAndClasses() throws Exception {
        try (ChildJvm child = ChildJvm.demo("class-init-deadlock", OPTIONS, List.of(), 6)) {
            int stuck = child.awaitLine("threads stuck");
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            String text = report.text();
            assertTrue(text.lines().findFirst().orElseThrow().contains("class-initialization deadlock"), text);
            ReportAssertions.namesThreadsAndMatches(text, List.of("init-a", "init-b"), List.of(
                    "cycle: \"init-\\w\" -> initialization of class dev\\.lockwatch\\.demo\\.ClassInitScenarios\\$Init\\w -> ",
                    "\"init-a\" \\(id \\d+, RUNNABLE\\)\\n    waits for the initialization of class "
                            + java.util.regex.Pattern.quote(B) + ", whose static initializer \\(<clinit>\\) runs on \"init-b\"",
                    "\"init-b\" \\(id \\d+, RUNNABLE\\)\\n    waits for the initialization of class "
                            + java.util.regex.Pattern.quote(A) + ", whose static initializer \\(<clinit>\\) runs on \"init-a\"",
                    "at app//" + java.util.regex.Pattern.quote(A) + "\\.<clinit>\\(ClassInitScenarios\\.java:\\d+\\)",
                    "at app//" + java.util.regex.Pattern.quote(B) + "\\.<clinit>\\(ClassInitScenarios\\.java:\\d+\\)"));
            ReportAssertions.cameWithin(child, stuck, report, "class-init-deadlock", BOUND_MS);

            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child.output());
            assertEquals(1, child.countLines(l -> l.contains("ERROR DEADLOCK")), child.output());
            assertTrue(child.output().contains("transformation errors=0,"), child.output());
        }
    }

    /** About 1.5 s computing and 1.5 s sleeping in a static initializer, with a thread waiting for it: no event. */
    @Test
    void slowStaticInitializerIsNoEvent() throws Exception {
        try (ChildJvm child = ChildJvm.demo("class-init-slow", OPTIONS, List.of(), 5)) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child.output());
            String out = child.output();
            assertTrue(out.contains("demo: class-init-slow: initialized"), out);
            assertTrue(out.contains("demo: class-init-slow: done"), out);
            for (String kind : List.of("DEADLOCK", "HANG", "STARVATION", "HELD_WHILE_BLOCKING", "LOCK_ORDER")) {
                assertFalse(out.contains(kind), kind + " in:\n" + out);
            }
            assertTrue(out.contains("transformation errors=0,"), out);
        }
    }
}
