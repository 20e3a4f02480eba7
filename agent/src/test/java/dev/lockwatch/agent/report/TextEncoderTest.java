package dev.lockwatch.agent.report;

import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.report.ThreadReport.Held;
import dev.lockwatch.agent.report.ThreadReport.Wait;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextEncoderTest {
    private static final String FINGERPRINT = "0123456789abcdef";
    private static final LockRef REENTRANT = new LockRef("java.util.concurrent.locks.ReentrantLock$NonfairSync",
            0x1b6d3586);
    private static final LockRef READ_WRITE = new LockRef(
            "java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync", 0x4554617c);
    private static final LockRef ACCOUNT = new LockRef("com.example.Account", 0x74a14482);
    private static final String TRANSFER_SITE = "com.example.Bank.transfer(Bank.java:42)";
    private static final StackTraceElement PARKED = new StackTraceElement("jdk.internal.misc.Unsafe", "park",
            "Unsafe.java", -2);
    private static final StackTraceElement TRANSFER = new StackTraceElement("com.example.Bank", "transfer",
            "Bank.java", 44);

    private static Wait waitFor(LockRef lock, Mode mode, long holderId, String holderName) {
        return new Wait(lock, mode, false, holderId, holderName, Mode.EXCLUSIVE, -1, null);
    }

    private static ThreadReport thread(String name, long id, Wait waits, List<Held> holds) {
        return new ThreadReport(name, id, "WAITING", false, waits, holds, List.of(PARKED, TRANSFER));
    }

    /** "worker-1" holds the Account monitor (site known) and waits for the ReentrantLock "worker-2" holds. */
    private static DeadlockReport twoThreads(String firstName) {
        return new DeadlockReport(FINGERPRINT, false, List.of(
                thread(firstName, 21, waitFor(REENTRANT, Mode.EXCLUSIVE, 22, "worker-2"),
                        List.of(new Held(ACCOUNT, Mode.MONITOR, TRANSFER_SITE))),
                thread("worker-2", 22, new Wait(ACCOUNT, Mode.MONITOR, false, 21, firstName, Mode.MONITOR, -1, null),
                        List.of(new Held(REENTRANT, Mode.EXCLUSIVE, null)))));
    }

    private static List<String> lines(String text) {
        return List.of(text.split("\n", -1));
    }

    private static String lineContaining(String text, String part) {
        for (String line : lines(text)) {
            if (line.contains(part)) {
                return line;
            }
        }
        throw new AssertionError("no line contains '" + part + "' in:\n" + text);
    }

    @Test
    void firstLineStartsWithDeadlockAndCarriesTheFingerprint() {
        String first = lines(TextEncoder.encode(twoThreads("worker-1"))).get(0);

        assertTrue(first.startsWith("DEADLOCK:"), first);
        assertTrue(first.contains(FINGERPRINT), first);
        assertTrue(first.contains("2 threads"), first);
    }

    @Test
    void singleThreadReportSaysItWaitsForItself() {
        DeadlockReport report = new DeadlockReport(FINGERPRINT, false, List.of(
                thread("upgrader", 5, new Wait(READ_WRITE, Mode.EXCLUSIVE, false, 5, "upgrader", Mode.READ, -1, null),
                        List.of(new Held(READ_WRITE, Mode.READ, "com.example.Cache.get(Cache.java:10)")))));

        String first = lines(TextEncoder.encode(report)).get(0);

        assertTrue(first.startsWith("DEADLOCK: 1 thread waits for itself"), first);
    }

    @Test
    void cycleLineNamesEveryThreadAndLockInOrderBackToTheFirst() {
        String text = TextEncoder.encode(twoThreads("worker-1"));

        assertEquals("  cycle: \"worker-1\" -> " + REENTRANT.key() + " -> \"worker-2\" -> " + ACCOUNT.key()
                + " -> \"worker-1\"", lines(text).get(1));
    }

    @Test
    void classInitializationDeadlockSaysSoAndNamesTheClassesAndWhoInitializesThem() {
        LockRef a = new LockRef("com.example.A", 0);
        LockRef b = new LockRef("com.example.B", 0);
        DeadlockReport report = new DeadlockReport(FINGERPRINT, false, List.of(
                new ThreadReport("init-a", 14, "RUNNABLE", false,
                        new Wait(b, Mode.CLASS_INIT, false, 15, "init-b", Mode.CLASS_INIT, -1, null), List.of(),
                        List.of(new StackTraceElement("com.example.A", "<clinit>", "A.java", 7))),
                new ThreadReport("init-b", 15, "RUNNABLE", false,
                        new Wait(a, Mode.CLASS_INIT, false, 14, "init-a", Mode.CLASS_INIT, -1, null), List.of(),
                        List.of(new StackTraceElement("com.example.B", "<clinit>", "B.java", 9)))));

        List<String> lines = lines(TextEncoder.encode(report));

        assertTrue(lines.get(0).startsWith("DEADLOCK: 2 threads wait for each other forever (class-initialization deadlock"),
                lines.get(0));
        assertEquals("  cycle: \"init-a\" -> initialization of class com.example.B -> \"init-b\" -> initialization of"
                + " class com.example.A -> \"init-a\"", lines.get(1));
        assertTrue(lines.contains("    waits for the initialization of class com.example.B, whose static initializer"
                + " (<clinit>) runs on \"init-b\""), String.join("\n", lines));
        assertTrue(lines.contains("      at com.example.A.<clinit>(A.java:7)"), String.join("\n", lines));
    }

    @Test
    void everyThreadNameAppearsOnlyQuoted() {
        String text = TextEncoder.encode(twoThreads("worker-1"));

        for (String name : List.of("worker-1", "worker-2")) {
            assertTrue(text.contains("\"" + name + "\" (id "), "thread block header of " + name + ":\n" + text);
            int at = -1;
            while ((at = text.indexOf(name, at + 1)) >= 0) {
                assertEquals('"', text.charAt(at - 1), "unquoted " + name + " at " + at + ":\n" + text);
                assertEquals('"', text.charAt(at + name.length()), "unquoted " + name + " at " + at + ":\n" + text);
            }
        }
    }

    @Test
    void threadBlockGivesIdAndStateAndMarksVirtualThreads() {
        DeadlockReport report = new DeadlockReport(FINGERPRINT, false, List.of(
                new ThreadReport("vt", 77, "WAITING", true, waitFor(REENTRANT, Mode.EXCLUSIVE, 77, "vt"),
                        List.of(), List.of())));

        String text = TextEncoder.encode(report);

        assertTrue(text.contains("\"vt\" (id 77, virtual, WAITING)"), text);
        assertTrue(TextEncoder.encode(twoThreads("worker-1")).contains("\"worker-2\" (id 22, WAITING)"));
    }

    @Test
    void holdWithASitePrintsAcquiredAtTheSite() {
        String text = TextEncoder.encode(twoThreads("worker-1"));

        assertEquals("    holds monitor " + ACCOUNT.key() + ", acquired at " + TRANSFER_SITE,
                lineContaining(text, "holds monitor"));
    }

    @Test
    void holdWithoutASiteSaysTheSiteWasNotRecorded() {
        String line = lineContaining(TextEncoder.encode(twoThreads("worker-1")), "holds lock " + REENTRANT.key());

        assertTrue(line.contains("site not recorded"), line);
        assertFalse(line.contains("acquired at"), line);
        assertFalse(line.contains("null"), line);
    }

    @Test
    void threadWithoutKnownHoldsSaysSo() {
        DeadlockReport report = new DeadlockReport(FINGERPRINT, false, List.of(
                thread("w", 1, waitFor(REENTRANT, Mode.EXCLUSIVE, 1, "w"), List.of())));

        assertTrue(TextEncoder.encode(report).contains("\n    holds no lock the agent can see"));
    }

    @Test
    void waitAndHoldWordingNamesMonitorsReadLocksWriteLocksAndLocks() {
        DeadlockReport report = new DeadlockReport(FINGERPRINT, false, List.of(
                thread("writer", 1, new Wait(READ_WRITE, Mode.EXCLUSIVE, false, 2, "reader", Mode.READ, -1, null),
                        List.of(new Held(ACCOUNT, Mode.MONITOR, null), new Held(REENTRANT, Mode.EXCLUSIVE, null))),
                thread("reader", 2, new Wait(ACCOUNT, Mode.MONITOR, false, 1, "writer", Mode.MONITOR, -1, null),
                        List.of(new Held(READ_WRITE, Mode.READ, null))),
                thread("late reader", 3, new Wait(READ_WRITE, Mode.READ, false, 1, "writer", Mode.QUEUED, -1, null),
                        List.of(new Held(READ_WRITE, Mode.EXCLUSIVE, null)))));

        String text = TextEncoder.encode(report);

        assertTrue(text.contains("\n    waits for write lock " + READ_WRITE.key() + ", held by \"reader\""), text);
        assertTrue(text.contains("\n    waits for monitor " + ACCOUNT.key() + ", held by \"writer\""), text);
        assertTrue(text.contains("\n    waits for read lock " + READ_WRITE.key() + ", queued first: \"writer\""),
                text);
        assertTrue(text.contains("\n    holds monitor " + ACCOUNT.key() + ","), text);
        assertTrue(text.contains("\n    holds lock " + REENTRANT.key() + ","), text);
        assertTrue(text.contains("\n    holds read lock " + READ_WRITE.key() + ","), text);
        assertTrue(text.contains("\n    holds write lock " + READ_WRITE.key() + ","), text);
    }

    @Test
    void timedReportAndTimedWaitSayThereIsATimeout() {
        DeadlockReport timed = new DeadlockReport(FINGERPRINT, true, List.of(
                thread("a", 1, new Wait(REENTRANT, Mode.EXCLUSIVE, true, 2, "b", Mode.EXCLUSIVE, -1, null), List.of()),
                thread("b", 2, waitFor(ACCOUNT, Mode.MONITOR, 1, "a"), List.of())));

        String text = TextEncoder.encode(timed);
        String untimed = TextEncoder.encode(twoThreads("worker-1"));

        assertTrue(lines(text).get(0).contains("timeout"), text);
        assertTrue(text.contains("waits for lock " + REENTRANT.key() + " with a timeout, held by \"b\""), text);
        assertFalse(text.contains("waits for monitor " + ACCOUNT.key() + " with a timeout"), text);
        assertFalse(untimed.contains("timeout"), untimed);
    }

    @Test
    void waitDurationIsPrintedOnlyWhenKnown() {
        DeadlockReport report = new DeadlockReport(FINGERPRINT, false, List.of(
                thread("a", 1, new Wait(REENTRANT, Mode.EXCLUSIVE, false, 2, "b", Mode.EXCLUSIVE, 1500, null), List.of()),
                thread("b", 2, waitFor(ACCOUNT, Mode.MONITOR, 1, "a"), List.of())));

        String text = TextEncoder.encode(report);

        assertTrue(lineContaining(text, "waits for lock").endsWith("held by \"b\", for 1500 ms"), text);
        assertTrue(lineContaining(text, "waits for monitor").endsWith("held by \"a\""), text);
    }

    @Test
    void stackFramesArePrintedInnermostFirstAsAtLines() {
        List<String> lines = lines(TextEncoder.encode(twoThreads("worker-1")));

        int first = lines.indexOf("      at " + PARKED);
        assertTrue(first > 0, "frame line in " + lines);
        assertEquals("      at com.example.Bank.transfer(Bank.java:44)", lines.get(first + 1));
        assertEquals("    stack:", lines.get(first - 1));
    }

    @Test
    void missingStackSaysNotAvailable() {
        DeadlockReport report = new DeadlockReport(FINGERPRINT, false, List.of(new ThreadReport("a", 1, "BLOCKED",
                false, waitFor(ACCOUNT, Mode.MONITOR, 1, "a"), List.of(), List.of())));

        assertTrue(TextEncoder.encode(report).contains("\n    stack:\n      (not available)"));
    }

    @Test
    void threadNameWithANewlineCannotStartALine() {
        String forged = "worker-1\nDEADLOCK: 0 threads [fingerprint ffffffffffffffff]";
        String text = TextEncoder.encode(twoThreads(forged));

        assertEquals(lines(TextEncoder.encode(twoThreads("worker-1"))).size(), lines(text).size(), text);
        assertEquals(1, lines(text).stream().filter(l -> l.startsWith("DEADLOCK:")).count(), text);
        assertFalse(text.contains("\r"), text);
        assertTrue(text.contains("\"worker-1\\u000aDEADLOCK: 0 threads"), text);
    }

    @Test
    void threadNameWithQuotesAndBackslashesStaysOneQuotedString() {
        String text = TextEncoder.encode(twoThreads("say \"hi\" \\ bye"));

        assertTrue(text.contains("\"say \\\"hi\\\" \\\\ bye\" (id 21"), text);
    }

    @Test
    void threadNameWithAnAnsiEscapeIsEscaped() {
        String text = TextEncoder.encode(twoThreads("\u001b[31mred\u001b[0m"));

        assertFalse(text.contains("\u001b"), "raw ESC in:\n" + text);
        assertTrue(text.contains("\"\\u001b[31mred\\u001b[0m\""), text);
    }

    @Test
    void noAsciiControlCharacterFromANameReachesTheText() {
        StringBuilder name = new StringBuilder("n");
        for (char c = 0; c < 0x20; c++) {
            name.append(c);
        }
        name.append('\u007f');

        String text = TextEncoder.encode(twoThreads(name.toString()));

        assertEquals(lines(TextEncoder.encode(twoThreads("n"))).size(), lines(text).size(), text);
        assertEquals(List.of(), controlCharsOtherThanNewline(text));
    }

    /** U+0080..U+009F are control characters too (Character.isISOControl); U+009B is the one-byte ANSI CSI. */
    @Test
    void noC1ControlCharacterFromANameReachesTheText() {
        StringBuilder name = new StringBuilder("n");
        for (char c = 0x80; c <= 0x9f; c++) {
            name.append(c);
        }

        String text = TextEncoder.encode(twoThreads(name.toString()));

        assertEquals(List.of(), controlCharsOtherThanNewline(text),
                "BUG TextEncoder.quote escapes only U+0000..U+001F and U+007F, so C1 controls (NEL U+0085, "
                        + "CSI U+009B) from a thread name reach the report raw");
    }

    /** Java's {@code \R}, Python's {@code splitlines} and Unicode also break lines at U+0085, U+2028, U+2029. */
    @Test
    void threadNameWithAUnicodeLineBreakCannotStartALine() {
        int expected = TextEncoder.encode(twoThreads("worker-1")).split("\\R", -1).length;
        for (String breakChar : List.of("\u0085", "\u2028", "\u2029")) {
            String text = TextEncoder.encode(twoThreads("worker-1" + breakChar + "DEADLOCK: forged"));

            assertEquals(expected, text.split("\\R", -1).length,
                    "BUG TextEncoder.quote leaves line break " + String.format("U+%04X", (int) breakChar.charAt(0))
                            + " of a thread name raw, so the name starts a new line for readers that honour it");
        }
    }

    @Test
    void nullHolderNameIsPrintedAsAQuotedQuestionMark() {
        DeadlockReport report = new DeadlockReport(FINGERPRINT, false, List.of(
                thread("a", 1, waitFor(REENTRANT, Mode.EXCLUSIVE, 9, null), List.of())));

        assertTrue(TextEncoder.encode(report).contains("held by \"?\""));
    }

    /** The distinct control characters of the text, '\n' (the formatter's own line ends) aside. */
    private static List<String> controlCharsOtherThanNewline(String text) {
        Set<String> found = new TreeSet<>();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\n' && Character.isISOControl(c)) {
                found.add(String.format("U+%04X", (int) c));
            }
        }
        return new ArrayList<>(found);
    }
}
