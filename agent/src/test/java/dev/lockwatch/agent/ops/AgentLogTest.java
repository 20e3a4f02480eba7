package dev.lockwatch.agent.ops;

import ch.qos.logback.core.util.FileSize;
import dev.lockwatch.agent.alert.Event;
import dev.lockwatch.agent.config.Options;
import dev.lockwatch.agent.report.DeadlockReport;
import dev.lockwatch.agent.report.Reports;
import dev.lockwatch.agent.report.TextEncoder;
import dev.lockwatch.it.JsonLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The built-in logging setups: JSON lines through Logback's JsonEncoder, and a file rolled by size. */
class AgentLogTest {
    private static final String HOSTILE = "evil \"name\"\n2026-01-01 [lockwatch] ERROR DEADLOCK: x\r\u001b[31m\\ \u2028{}\t\u0000";

    @TempDir
    Path temp;

    private static Options options(String args) {
        Options.Parsed parsed = Options.parse(args, Map.of());
        assertEquals(List.of(), parsed.problems());
        return parsed.options();
    }

    @Test
    void jsonModeWritesOneValidObjectPerLineAndValuesRoundTrip() throws Exception {
        Path file = temp.resolve("agent.log");
        List<String> problems = new ArrayList<>();
        AgentLog log = AgentLog.create(options("format=json,log=" + file), problems::add);
        log.info("Lockwatch started: {} not a placeholder");
        DeadlockReport report = Reports.deadlock("0123456789abcdef", HOSTILE, "other", "com.example.App");
        log.event(new Event(report, 0, 0, TextEncoder.encode(report), 1, "box"));
        log.close();

        assertEquals(List.of(), problems);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(2, lines.size(), String.join("\n", lines));
        Map<String, Object> info = JsonLine.parseObject(lines.get(0));
        assertEquals("INFO", info.get("level"));
        assertEquals("Lockwatch started: {} not a placeholder", info.get("formattedMessage"));
        assertTrue(info.get("timestamp") instanceof Double, "timestamp is a number: " + lines.get(0));

        Map<String, Object> event = JsonLine.parseObject(lines.get(1));
        assertEquals("ERROR", event.get("level"));
        assertEquals(TextEncoder.encode(report).lines().findFirst().orElseThrow(), event.get("formattedMessage"),
                "the headline only: the rest is in the key-value pairs");
        Map<String, String> kv = JsonLine.keyValues(event);
        assertEquals("DEADLOCK", kv.get("kind"));
        assertEquals(HOSTILE, kv.get("thread.0.name"), "the name round-trips");
        assertFalse(lines.get(1).contains("\u2028"), "line separators escaped too: " + lines.get(1));
        assertTrue(lines.get(1).contains("\"kvpList\": [{\"kind\":\"DEADLOCK\"}"), lines.get(1));
    }

    @Test
    void escapeLineSeparatorsWritesThemAsJsonEscapes() {
        byte[] in = "a\u2028b\u2029c\u00e9".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals("a\\u2028b\\u2029c\u00e9".getBytes(StandardCharsets.UTF_8), AgentLog.escapeLineSeparators(in));
    }

    @Test
    void textModeToAFileUsesTheAgentsPattern() throws Exception {
        Path file = temp.resolve("text.log");
        AgentLog log = AgentLog.create(options("log=" + file), p -> fail(p));
        log.warn("hello");
        log.close();

        String line = Files.readAllLines(file).get(0);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[lockwatch\\] WARN  hello"), line);
    }

    @Test
    void theFileRollsBySizeAndKeepsFiveOldFiles() throws Exception {
        Path file = temp.resolve("roll.log");
        AgentLog log = AgentLog.create(options("log=" + file), p -> fail(p), FileSize.valueOf("1KB"));
        String filler = "x".repeat(300);
        // Four lines fill a file: 40 lines make ten files, of which the newest five old ones must be kept.
        for (int i = 0; i < 40; i++) {
            log.info(filler);
        }
        log.close();

        assertTrue(Files.exists(file));
        for (int i = 1; i <= 5; i++) {
            assertTrue(Files.exists(Path.of(file + "." + i)), file + "." + i);
        }
        assertFalse(Files.exists(Path.of(file + ".6")), "at most five old files");
    }

    /** Issue 12: with log=/dev/full (a full disk) nothing reached stderr; the report was lost without a word. */
    @Test
    void whenTheLogFileFailsTheEventStillReachesStderrWithOneLineWhy() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/dev/full")), "needs /dev/full");
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        AgentLog log;
        try {
            log = AgentLog.create(options("log=/dev/full"), p -> fail(p));
            DeadlockReport report = Reports.deadlock("0123456789abcdef", "one", "two", "com.example.App");
            log.event(new Event(report, 0, 0, TextEncoder.encode(report), 1, "box"));
            log.warn("after");
            log.close();
        } finally {
            System.setErr(original);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        List<String> why = err.lines().filter(l -> l.startsWith("lockwatch: the log destination /dev/full failed")).toList();
        assertEquals(1, why.size(), err);
        assertTrue(err.contains("ERROR DEADLOCK: 2 threads wait for each other forever [fingerprint 0123456789abcdef]"), err);
        assertTrue(err.contains("end of report [fingerprint 0123456789abcdef]"), "the whole report: " + err);
        assertTrue(err.contains("WARN  after"), "later lines go to stderr too: " + err);
        assertEquals("stderr (/dev/full failed)", log.destination());
    }

    /** Issue 12: a logConfig file that parses but has no appender made the agent silent. */
    @Test
    void aLogConfigWithoutAnAppenderFallsBackToStderrAndSaysSo() throws Exception {
        Path config = Files.writeString(temp.resolve("empty.xml"), "<configuration><root level=\"INFO\"/></configuration>");
        List<String> problems = new ArrayList<>();

        AgentLog log = AgentLog.create(options("logConfig=" + config), problems::add);
        log.close();

        assertEquals(1, problems.size(), String.valueOf(problems));
        assertTrue(problems.get(0).contains("sets up no appender for the logger 'lockwatch'"), problems.get(0));
        assertTrue(problems.get(0).endsWith("logging to stderr instead"), problems.get(0));
        assertEquals("stderr", log.destination());
    }

    /** Issue 10, item 14: files the agent creates are readable by the owner only. */
    @Test
    void theLogFileIsCreatedReadableByItsOwnerOnly() throws Exception {
        Path file = temp.resolve("private.log");
        AgentLog log = AgentLog.create(options("log=" + file), p -> fail(p));
        log.info("x");
        log.close();

        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void logConfigWinsOverLogAndFormatAndSaysSo() throws Exception {
        Path out = temp.resolve("custom.log");
        Path config = Files.writeString(temp.resolve("lw.xml"), "<configuration><appender name=\"F\" class=\"ch.qos.logback.core.FileAppender\">"
                + "<file>" + out + "</file><encoder><pattern>CUSTOM %msg%n</pattern></encoder></appender>"
                + "<root level=\"INFO\"><appender-ref ref=\"F\"/></root></configuration>");
        List<String> problems = new ArrayList<>();
        AgentLog log = AgentLog.create(options("logConfig=" + config + ",format=json,log=" + temp.resolve("ignored.log")), problems::add);
        log.info("hello");
        log.close();

        assertEquals(List.of("options log and format are not used: logConfig file '" + config + "' sets up the agent's logging"), problems);
        assertEquals(List.of("CUSTOM hello"), Files.readAllLines(out));
        assertFalse(Files.exists(temp.resolve("ignored.log")));
    }

    @Test
    void inJsonModeOnStderrProblemLinesAreJsonToo() {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            AgentLog log = AgentLog.create(options("format=json"), p -> fail(p));
            log.reportProblems(List.of("bad value 'x' for option remind; accepted: off, or a duration; using off"));
            log.info("started");
            log.close();
        } finally {
            System.setErr(original);
        }

        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().collect(java.util.stream.Collectors.toList());
        assertEquals(2, lines.size(), String.join("\n", lines));
        Map<String, Object> problem = JsonLine.parseObject(lines.get(0));
        assertEquals("WARN", problem.get("level"));
        assertEquals("lockwatch: bad value 'x' for option remind; accepted: off, or a duration; using off", problem.get("formattedMessage"));
        assertEquals("started", JsonLine.parseObject(lines.get(1)).get("formattedMessage"));
    }
}
