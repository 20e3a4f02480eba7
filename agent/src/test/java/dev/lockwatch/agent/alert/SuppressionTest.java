package dev.lockwatch.agent.alert;

import dev.lockwatch.agent.report.Reports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SuppressionTest {
    @Test
    void classPatternWithAStarMatchesClassesAndTheirMethods() {
        Suppression s = Suppression.parse("com.example.Legacy*");

        assertTrue(s.matches("com.example.LegacyStore.put(LegacyStore.java:12)"));
        assertTrue(s.matches("com.example.Legacy.get"));
        assertFalse(s.matches("com.example.Modern.put(Modern.java:3)"));
        assertFalse(s.matches("org.com.example.LegacyStore.put(LegacyStore.java:12)"), "anchored at the start");
    }

    @Test
    void classAndMethodPatternMatchesThatMethodOnly() {
        Suppression s = Suppression.parse("com.example.Cache.get");

        assertTrue(s.matches("com.example.Cache.get(Cache.java:40)"));
        assertFalse(s.matches("com.example.Cache.put(Cache.java:50)"));
        assertFalse(s.matches("com.example.Cache.getAll(Cache.java:60)"));
    }

    @Test
    void patternsAreSeparatedByBarsAndStarsMayStandAnywhere() {
        Suppression s = Suppression.parse(" com.example.Legacy* | *Cache.get ");

        assertTrue(s.matches("com.example.LegacyStore.put(LegacyStore.java:12)"));
        assertTrue(s.matches("org.other.Cache.get(Cache.java:1)"));
        assertEquals("com.example.Legacy* | *Cache.get", s.toString());
    }

    @Test
    void aReportIsSuppressedOnlyWhenEverySiteMatches() {
        Suppression s = Suppression.parse("com.example.Legacy*");

        assertTrue(s.suppresses(List.of("com.example.LegacyA.x(A.java:1)", "com.example.LegacyB.y")));
        assertFalse(s.suppresses(List.of("com.example.LegacyA.x(A.java:1)", "com.example.New.y(New.java:2)")));
        assertFalse(s.suppresses(List.of()), "no site at all: nothing to match, reported");
        assertFalse(Suppression.NONE.suppresses(List.of("com.example.LegacyA.x(A.java:1)")));
    }

    @Test
    void sitesOfADeadlockAreTheHoldSitesAndEachThreadsInnermostFrameOutsideTheJdk() {
        List<String> sites = Reports.deadlock("f", "a", "b", "com.example.Legacy").sites();

        assertEquals(List.of("com.example.Legacy.a(X.java:10)", "com.example.Legacy.a(Legacy.java:12)",
                "com.example.Legacy.b(X.java:20)", "com.example.Legacy.b(Legacy.java:22)"), sites);
    }

    @Test
    void sitesOfAStarvationWithoutHoldsAreWhereItsThreadsWait() {
        assertEquals(List.of("com.example.Pool.outer(Pool.java:30)"), Reports.starvation("f", "com.example.Pool").sites());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "|", "a||b", "*", "*.*", ".a", "a.", "a..b", "com/example", "a b", "a,b", "com.example.(x)"})
    void malformedPatternsAreRejected(String text) {
        assertNull(Suppression.parse(text), "'" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "com.example.*", "*Cache", "com.example.Outer$Inner", "é.Ü"})
    void wellFormedPatternsAreAccepted(String text) {
        assertNotNull(Suppression.parse(text), text);
    }
}
