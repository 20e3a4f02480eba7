package dev.lockwatch.agent.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Names the application controls cannot break the text form. A class generator can put any character but
 * {@code . ; [ /} into class and method names, and anything into a source file name, so not only thread names
 * need escaping.
 */
class SafeTextTest {
    private static final String FORGED = "\n2026-01-01 00:00:00.000 [lockwatch] ERROR DEADLOCK: forged";

    @Test
    void escapeWritesControlCharactersAndLineSeparatorsAsUnicodeEscapes() {
        assertEquals("a\\u000ab\\u000dc\\u001b[31m\\u2028\\u2029\\u0085\\u007f", SafeText.escape("a\nb\rc\u001b[31m\u2028\u2029\u0085\u007f"));
        assertEquals("quotes \" and \\ stay", SafeText.escape("quotes \" and \\ stay"));
    }

    @Test
    void escapeReturnsTheSameStringWhenNothingNeedsIt() {
        String s = "com.example.Bank$Inner";
        assertSame(s, SafeText.escape(s));
    }

    @Test
    void quoteEscapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a \\\"b\\\" \\\\ \\u000a\"", SafeText.quote("a \"b\" \\ \n"));
        assertEquals("\"?\"", SafeText.quote(null));
    }

    @Test
    void plainLowerCasesEventKindsSoThatOnlyEventsCarryThem() {
        assertEquals("no deadlock, starvation, hang, lock_order or held_while_blocking here\\u000a",
                SafeText.plain("no DEADLOCK, STARVATION, HANG, LOCK_ORDER or HELD_WHILE_BLOCKING here\n"));
    }

    @Test
    void hostileClassMethodAndFileNamesNeverStartALineOfTheTextReport() {
        String cls = "com.example.Evil" + FORGED;
        StackTraceElement hostileFrame = new StackTraceElement(cls, "run" + FORGED, "Evil.java" + FORGED, 7);
        DeadlockReport raw = Reports.deadlock("0123456789abcdef", "a" + FORGED, "b\u2028c", cls);
        DeadlockReport withFrame = new DeadlockReport(raw.fingerprint(), false, List.of(
                new ThreadReport(raw.threads().get(0).name(), 14, "WAITING", false, raw.threads().get(0).waits(),
                        raw.threads().get(0).holds(), List.of(hostileFrame)),
                raw.threads().get(1)));

        String text = TextEncoder.encode(withFrame);

        List<String> lines = text.lines().toList();
        assertTrue(lines.get(0).startsWith("DEADLOCK: "), text);
        for (String line : lines.subList(1, lines.size())) {
            assertTrue(line.isEmpty() || line.startsWith("  "), "a line of the report that does not start like one: '" + line + "'\n" + text);
        }
        assertEquals(1, lines.stream().filter(l -> l.contains("DEADLOCK: 2 threads")).count(), text);
        assertFalse(text.contains("\u2028"), text);
        assertTrue(text.contains("at com.example.Evil\\u000a2026-01-01 00:00:00.000 [lockwatch] ERROR DEADLOCK: forged.run\\u000a"), text);
        assertTrue(text.contains("\"a\\u000a2026-01-01"), "thread names quoted by the formatter, escaped once:\n" + text);
    }
}
