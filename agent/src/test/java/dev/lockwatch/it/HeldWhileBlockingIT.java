package dev.lockwatch.it;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12: HELD_WHILE_BLOCKING is the warning for a lock held across a wait on a future that does complete, and
 * only that: a lock-across-{@code Future.get} deadlock was followed 150 to 190 ms later by a HELD_WHILE_BLOCKING
 * that repeated it. Both runs at once, with short intervals, so a check falls between the note and the deadlock.
 */
class HeldWhileBlockingIT {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void aLockHeldAcrossAFutureThatCompletesIsOneWarningAndNoDeadlock() throws Exception {
        try (ChildJvm held = ChildJvm.demo("held-while-blocking", "interval=100ms", List.of(), 3);
             ChildJvm deadlock = ChildJvm.demo("future-lock", "interval=100ms", List.of(), 3)) {
            ChildJvm.Report report = held.awaitReport("HELD_WHILE_BLOCKING");
            String text = report.text();
            assertTrue(text.lines().findFirst().orElseThrow().contains(
                    "WARN  HELD_WHILE_BLOCKING: \"config-reloader\" blocks on java.util.concurrent.FutureTask at"
                            + " dev.lockwatch.demo.HeldAcrossGet.reloadUnderLock(HeldAcrossGet.java:"), text);
            assertTrue(text.matches("(?s).*\n    holds lock java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\p{XDigit}+,"
                    + " acquired at dev\\.lockwatch\\.demo\\.HeldAcrossGet\\.reloadUnderLock\\(HeldAcrossGet\\.java:\\d+\\)\n.*"), text);
            assertEquals(0, held.awaitExit(BOUND), held.output());
            String out = held.output();
            assertTrue(out.contains("demo: held-while-blocking: got config while holding the lock"), out);
            assertEquals(1, held.countLines(l -> l.contains("HELD_WHILE_BLOCKING:")), out);
            assertTrue(out.contains("reports: deadlock=0, starvation=0, hang=0, lock order=0, held while blocking=1,"), out);
            assertTrue(out.contains("transformation errors=0,"), out);

            deadlock.awaitReport("DEADLOCK");
            assertEquals(0, deadlock.awaitExit(BOUND), deadlock.output());
            String cycle = deadlock.output();
            assertEquals(1, deadlock.countLines(l -> l.contains("ERROR DEADLOCK:")), cycle);
            assertEquals(0, deadlock.countLines(l -> l.contains("HELD_WHILE_BLOCKING")), "the DEADLOCK already says"
                    + " the lock is held across the wait:\n" + cycle);
            assertTrue(cycle.contains("held while blocking=0,"), cycle);
        }
    }
}
