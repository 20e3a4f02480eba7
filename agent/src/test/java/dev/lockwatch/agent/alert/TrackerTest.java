package dev.lockwatch.agent.alert;

import dev.lockwatch.agent.detect.Finding;
import dev.lockwatch.agent.report.EventKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@link Tracker}, the one place that says new, still there or gone, fed hand-built findings check by check. */
class TrackerTest {
    private final Tracker tracker = new Tracker();

    private static Finding stuck(String key) {
        return new Finding(EventKind.DEADLOCK, key, 1, Set.of(1L, 2L), () -> null);
    }

    private static Finding hazard(String fingerprint) {
        return new Finding(EventKind.HELD_WHILE_BLOCKING, fingerprint, 1, Set.of(3L), () -> null);
    }

    @Test
    void aStuckFindingIsNewThenStillThereThenGone() {
        Tracker.Seen first = tracker.update(List.of(stuck("deadlock 1:1>a>2"))).stuck().get(0);
        assertEquals(1, first.checks);

        Tracker.Seen again = tracker.update(List.of(stuck("deadlock 1:1>a>2"))).stuck().get(0);
        assertSame(first, again, "still there: the same finding, followed across checks");
        assertEquals(2, again.checks);
        assertEquals(1, tracker.following());

        assertEquals(List.of(), tracker.update(List.of()).stuck());
        assertEquals(0, tracker.following(), "gone at the first check without it");

        Tracker.Seen formedAgain = tracker.update(List.of(stuck("deadlock 1:1>a>2"))).stuck().get(0);
        assertNotSame(first, formedAgain, "if it forms again, it is a new finding");
        assertEquals(1, formedAgain.checks);
    }

    @Test
    void theSameFindingTwiceInOneCheckCountsOnce() {
        List<Tracker.Seen> present = tracker.update(List.of(stuck("k"), stuck("k"))).stuck();
        assertEquals(1, present.size());
        assertEquals(1, present.get(0).checks);
    }

    @Test
    void findingsWithOtherKeysAreFollowedApart() {
        tracker.update(List.of(stuck("a"), stuck("b")));
        List<Tracker.Seen> present = tracker.update(List.of(stuck("b"))).stuck();
        assertEquals(1, present.size());
        assertEquals("b", present.get(0).finding.key());
        assertEquals(2, present.get(0).checks);
        assertEquals(1, tracker.following());
    }

    @Test
    void aHazardIsNewOnceInThisJvm() {
        assertEquals(List.of("f1"), keys(tracker.update(List.of(hazard("f1"))).newHazards()));
        assertEquals(List.of(), tracker.update(List.of(hazard("f1"))).newHazards());
        assertEquals(List.of(), tracker.update(List.of()).newHazards());
        assertEquals(List.of(), tracker.update(List.of(hazard("f1"))).newHazards(), "never again, even after a gap");
        assertEquals(0, tracker.following(), "hazards are not followed as stuck findings");
    }

    @Test
    void hazardsFoundBetweenChecksShareTheMemoryOfChecks() {
        assertEquals(List.of("f2"), keys(tracker.newHazards(List.of(hazard("f2"), stuck("s")))));
        assertEquals(List.of(), tracker.update(List.of(hazard("f2"))).newHazards());
        assertEquals(List.of(), tracker.newHazards(List.of(hazard("f2"))));
    }

    private static List<String> keys(List<Finding> findings) {
        return findings.stream().map(Finding::key).toList();
    }
}
