package dev.lockwatch.it;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every scenario test checks of a report: its threads, its lines, its stacks, and how soon it came. */
final class ReportAssertions {
    private ReportAssertions() {
    }

    /** The report names each thread, matches each pattern, and has one stack per thread. */
    static void namesThreadsAndMatches(String text, List<String> threads, List<String> patterns) {
        for (String thread : threads) {
            assertTrue(text.contains("\"" + thread + "\" (id "), "report names thread " + thread + ":\n" + text);
        }
        for (String pattern : patterns) {
            assertTrue(Pattern.compile(pattern).matcher(text).find(), "report matches /" + pattern + "/:\n" + text);
        }
        long stacks = text.lines().filter(l -> l.trim().equals("stack:")).count();
        assertEquals(threads.size(), stacks, "one stack per thread:\n" + text);
    }

    /** The report came at most {@code boundMs} after the line at {@code stuckLine}; the time is printed for the note. */
    static void cameWithin(ChildJvm child, int stuckLine, ChildJvm.Report report, String scenario, long boundMs) {
        long latencyMs = TimeUnit.NANOSECONDS.toMillis(report.nanos() - child.lineNanos(stuckLine));
        System.out.println("detection latency " + scenario + ": " + latencyMs + " ms");
        assertTrue(latencyMs <= boundMs, "reported " + latencyMs + " ms after the threads got stuck (bound " + boundMs + " ms)");
    }
}
