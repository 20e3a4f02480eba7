package dev.lockwatch.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Deadlocks among virtual threads, and between virtual and platform threads; and a registry that keeps nothing
 * for 100,000 virtual threads once they have ended. Virtual threads exist from JDK 21: on JDK 17 these tests are
 * skipped with that reason.
 */
class VirtualThreadsIT {

    private static void assumeVirtualThreads() {
        assumeTrue(Runtime.version().feature() >= 21,
                "virtual threads need JDK 21+; this JVM is JDK " + Runtime.version().feature());
    }

    /** A scenario and regular expressions its report must match. */
    record Expected(String scenario, List<String> patterns) {
        @Override
        public String toString() {
            return scenario;
        }
    }

    static Stream<Expected> deadlocks() {
        return Stream.of(
                new Expected("virtual-lock-abba", List.of(
                        "\"vt-A-then-B\" \\(id \\d+, virtual, WAITING\\)",
                        "\"virtual#\\d+\" \\(id \\d+, virtual, WAITING\\)",
                        "acquired at dev\\.lockwatch\\.demo\\.VirtualDeadlocks\\$LockAbba\\.both\\(VirtualDeadlocks\\.java:\\d+\\)")),
                new Expected("virtual-mixed", List.of(
                        "\"vt-read-then-journal\" \\(id \\d+, virtual, WAITING\\)",
                        "\"pt-journal-then-write\" \\(id \\d+, WAITING\\)",
                        "holds read lock .*, acquired at dev\\.lockwatch\\.demo\\.VirtualDeadlocks\\$Mixed\\.readThenJournal")),
                new Expected("virtual-handoff", List.of(
                        "\"vt-holder\" \\(id \\d+, virtual, WAITING\\)",
                        "waits for task java\\.util\\.concurrent\\.FutureTask@\\p{XDigit}+, running on \"vt-pool-worker\"",
                        "acquired at dev\\.lockwatch\\.demo\\.VirtualDeadlocks\\$Handoff\\.holdAndWait")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deadlocks")
    void deadlockWithVirtualThreadsIsReported(Expected expected) throws Exception {
        assumeVirtualThreads();
        try (ChildJvm child = ChildJvm.demo(expected.scenario(), "interval=250ms", List.of(), 30)) {
            child.awaitLine("threads stuck");
            String report = child.awaitReport("DEADLOCK").text();
            for (String pattern : expected.patterns()) {
                assertTrue(Pattern.compile(pattern).matcher(report).find(), "report matches /" + pattern + "/:\n" + report);
            }
        }
    }

    @Test
    void registryKeepsNothingForEndedVirtualThreads() throws Exception {
        assumeVirtualThreads();
        try (ChildJvm child = ChildJvm.demo("virtual-registry", "", List.of("-Xmx512m"), 1)) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(120)), child.output());
            String out = child.output();
            assertTrue(out.contains("100000 virtual threads ended"), out);
            assertTrue(out.contains("agent records of virtual threads after they ended: 0"), out);
            assertTrue(out.contains("transformation errors=0,"), out);
        }
    }
}
