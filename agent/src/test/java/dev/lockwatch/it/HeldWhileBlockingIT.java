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
        // Each runs until what is asserted is out, then is stopped: on a loaded machine a short run could end first.
        try (ChildJvm held = ChildJvm.demo("held-while-blocking", "interval=100ms", List.of(), 120);
             ChildJvm deadlock = ChildJvm.demo("future-lock", "interval=100ms", List.of(), 120)) {
            ChildJvm.Report report = held.awaitReport("HELD_WHILE_BLOCKING");
            String text = report.text();
            assertTrue(text.lines().findFirst().orElseThrow().contains(
                    "WARN  HELD_WHILE_BLOCKING: \"config-reloader\" blocks on java.util.concurrent.FutureTask at"
                            + " dev.lockwatch.demo.HeldAcrossGet.reloadUnderLock(HeldAcrossGet.java:"), text);
            assertTrue(text.matches("(?s).*\n    holds lock java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@\\p{XDigit}+,"
                    + " acquired at dev\\.lockwatch\\.demo\\.HeldAcrossGet\\.reloadUnderLock\\(HeldAcrossGet\\.java:\\d+\\)\n.*"), text);
            held.awaitLine(l -> l.equals("demo: held-while-blocking: got config while holding the lock"), 0, BOUND,
                    "saying the future completed");

            deadlock.awaitReport("DEADLOCK");
            Thread.sleep(1000); // ten more checks: neither is reported again, and no warning repeats the deadlock
            held.stop();
            deadlock.stop();

            String out = held.output();
            assertEquals(1, held.countLines(l -> l.contains("HELD_WHILE_BLOCKING:")), out);
            assertEquals(0, held.countLines(l -> l.contains("DEADLOCK")), out);
            assertEquals(0, held.countLines(l -> l.contains("transformation error")), out);

            String cycle = deadlock.output();
            assertEquals(1, deadlock.countLines(l -> l.contains("ERROR DEADLOCK:")), cycle);
            assertEquals(0, deadlock.countLines(l -> l.contains("HELD_WHILE_BLOCKING")), "the DEADLOCK already says"
                    + " the lock is held across the wait:\n" + cycle);
        }
    }
}
