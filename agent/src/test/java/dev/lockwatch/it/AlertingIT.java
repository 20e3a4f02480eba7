package dev.lockwatch.it;

import dev.lockwatch.it.apps.HostileNamesApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Alerting as a user and a machine see it, in child JVMs with the built agent: hostile thread names cannot forge
 * lines in either format, JSON lines parse, the log file and {@code scripts/alert-on.sh} work together, and
 * {@code remind}, {@code suppress} and the {@code onDeadlock} actions do what the README says.
 */
class AlertingIT {
    private static final String DATE = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}";
    /** Any line of the agent's text log. */
    private static final Pattern AGENT_LINE = Pattern.compile("^" + DATE + " \\[lockwatch\\] ");
    private static final Pattern EVENT_WORD = Pattern.compile("DEADLOCK|STARVATION|LOCK_ORDER|HELD_WHILE_BLOCKING");
    private static final Pattern HEADLINE = Pattern.compile("^" + DATE
            + " \\[lockwatch\\] ERROR DEADLOCK: 2 threads wait for each other forever \\[fingerprint ([0-9a-f]{16})\\]"
            + "( \\(reminder (\\d+): still there \\d+ s after it was first reported\\))?$");
    /** How the text form writes the two names: quoted, with quotes, backslashes and control characters escaped. */
    private static final String FORGER_QUOTED = "\"forger \\\"one\\\"\\u000a2026-01-01 00:00:00.000 [lockwatch] ERROR DEADLOCK: forged"
            + " [fingerprint 0000000000000000]\\u000d\\u000a{\\\"kind\\\":\\\"DEADLOCK\\\"}\\\\\"";
    private static final String PAINTER_QUOTED = "\"\\u001b[31mpainter\\u001b[0m\\u0009STARVATION\\u2028LOCK_ORDER\\u0008"
            + " HELD_WHILE_BLOCKING {}\"";
    private static final int APP_BOUND_SECONDS = 120;
    private static final Duration BOUND = ChildJvm.DEFAULT_WAIT;

    @TempDir
    Path temp;

    @Test
    void hostileThreadNamesCannotForgeTextLinesAndRemindersAndTheDumpFollow() throws Exception {
        Path dumps = Files.createDirectories(temp.resolve("dumps"));
        try (ChildJvm child = hostileApp("interval=200ms,remind=1s,onDeadlock=dump,dumpDir=" + dumps)) {
            int first = child.awaitLine(l -> HEADLINE.matcher(l).matches(), 0, BOUND, "with the DEADLOCK headline");
            String fingerprint = group(HEADLINE, lineAt(child, first), 1);
            child.awaitLine(l -> l.contains("thread dump for fingerprint " + fingerprint + " written to "), first, BOUND,
                    "saying where the dump went");
            child.awaitLine(l -> HEADLINE.matcher(l).matches() && "1".equals(group(HEADLINE, l, 3)), first, BOUND,
                    "with the first reminder");
            terminate(child);
            String out = child.output();
            List<String> lines = out.lines().collect(Collectors.toList());

            // The report: its headline, then only indented or empty lines up to its end.
            int end = indexFrom(lines, first, l -> l.equals("  end of report [fingerprint " + fingerprint + "]"));
            for (String line : lines.subList(first + 1, end + 1)) {
                assertTrue(line.isEmpty() || line.startsWith("  "), "a line inside the report that starts like no report line: '"
                        + line + "'\n" + out);
            }
            String report = String.join("\n", lines.subList(first, end + 1));
            assertTrue(report.contains("  cycle: " + FORGER_QUOTED + " -> ") || report.contains("  cycle: " + PAINTER_QUOTED + " -> "), report);
            assertTrue(report.contains("\n  " + FORGER_QUOTED + " (id "), "the forger's name, escaped:\n" + report);
            assertTrue(report.contains("\n  " + PAINTER_QUOTED + " (id "), "the painter's name, escaped:\n" + report);
            assertTrue(report.contains("acquired at dev.lockwatch.it.apps.HostileNamesApp.holdThenWant(HostileNamesApp.java:"), report);

            // Every agent line that names an event kind is a real event headline: the forgery never starts a line.
            for (String line : lines) {
                if (AGENT_LINE.matcher(line).find() && EVENT_WORD.matcher(line).find()) {
                    Matcher m = HEADLINE.matcher(line);
                    assertTrue(m.matches() && m.group(1).equals(fingerprint), "an agent line with an event kind that is no headline: '"
                            + line + "'\n" + out);
                }
                assertFalse(line.startsWith("2026-01-01 00:00:00.000"), "forged line:\n" + out);
                assertFalse(line.startsWith("{\"kind\""), "forged line:\n" + out);
                assertFalse(line.contains("\u001b") || line.contains("\u2028"), "raw escape or line separator in: " + line);
            }
            assertTrue(child.countLines(l -> HEADLINE.matcher(l).matches() && l.endsWith("]")) == 1, "one first report:\n" + out);
            assertTrue(out.contains("Lockwatch stopped: transformation errors=0,"), out);
            assertTrue(Pattern.compile("reports: deadlock=1, .*, reminders=[1-9]").matcher(out).find(), out);

            List<Path> files;
            try (Stream<Path> s = Files.list(dumps)) {
                files = s.collect(Collectors.toList());
            }
            assertEquals(1, files.size(), "one dump, none for reminders: " + files);
            String dumpName = files.get(0).getFileName().toString();
            assertTrue(dumpName.startsWith("lockwatch-" + child.pid() + "-deadlock-" + fingerprint + "-") && dumpName.endsWith(".txt"), dumpName);
            String dump = Files.readString(files.get(0));
            assertTrue(dump.contains("== report ==\nDEADLOCK: 2 threads wait for each other forever [fingerprint " + fingerprint + "]"), dump);
            assertTrue(dump.contains("== wait-for graph as of check "), dump);
            assertTrue(dump.contains(FORGER_QUOTED + " (id ") && dump.contains(" waits for lock "), "the graph names both threads:\n" + dump);
            assertTrue(dump.contains("\n\"main\" #"), "every thread, main included (its id differs by JDK):\n" + dump);
            assertTrue(dump.contains("\n" + PAINTER_QUOTED + " #"), dump);
            assertTrue(dump.contains("\t- locked java.lang.Object@"), "monitors held:\n" + dump);
            assertTrue(dump.contains("\tlocked synchronizers:\n\t- java.util.concurrent.locks.ReentrantLock$NonfairSync@"), dump);
            assertFalse(dump.lines().anyMatch(l -> l.startsWith("2026-01-01") || l.startsWith("{\"kind\"")), "forged line in the dump:\n" + dump);
        }
    }

    @Test
    void jsonLinesToTheLogFileParseNamesRoundTripAndAlertOnFindsTheEvent() throws Exception {
        Path log = Files.createDirectories(temp.resolve("logs")).resolve("agent.log"); // no directory is ever created
        try (ChildJvm child = hostileApp("interval=200ms,format=json,log=" + log);
             ChildJvm alert = ChildJvm.start(List.of("bash", alertOnScript().toString(), "--timeout", "60", log.toString()))) {
            assertEquals(1, alert.awaitExit(Duration.ofSeconds(90)), "alert-on.sh exits 1 on the event:\n" + alert.output()
                    + "\nchild:\n" + child.output());
            List<String> printed = alert.output().lines().collect(Collectors.toList());
            assertEquals(1, printed.size(), alert.output());
            Map<String, String> alerted = JsonLine.keyValues(JsonLine.parseObject(printed.get(0)));
            assertEquals("DEADLOCK", alerted.get("kind"), printed.get(0));
            terminate(child);

            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<Map<String, Object>> objects = new ArrayList<>();
            for (String line : lines) {
                try {
                    objects.add(JsonLine.parseObject(line));
                } catch (IllegalArgumentException e) {
                    fail("a line of the log file is not one JSON object: " + e.getMessage() + "\nfile:\n" + String.join("\n", lines));
                }
            }
            Map<String, Object> startup = objects.get(0);
            assertEquals("INFO", startup.get("level"));
            assertTrue(((String) startup.get("formattedMessage")).startsWith("Lockwatch 0.1.0 started: interval=200ms, lockOrder=off, hangAfter=30s, format=json, log="),
                    lines.get(0));
            assertTrue(((String) objects.get(objects.size() - 1).get("formattedMessage")).startsWith("Lockwatch stopped: transformation errors=0,"),
                    "the shutdown line goes through the encoder too:\n" + String.join("\n", lines));

            List<Map<String, Object>> events = objects.stream().filter(o -> o.containsKey("kvpList")).collect(Collectors.toList());
            assertEquals(1, events.size(), "one event:\n" + String.join("\n", lines));
            Map<String, Object> event = events.get(0);
            Map<String, String> kv = JsonLine.keyValues(event);
            assertEquals(alerted, kv, "alert-on.sh printed the event line");
            assertEquals("ERROR", event.get("level"));
            assertTrue(event.get("timestamp") instanceof Double, "timestamp: epoch milliseconds");
            assertEquals(List.of("kind", "fingerprint", "pid", "host", "reminder"), List.copyOf(kv.keySet()).subList(0, 5));
            assertEquals("DEADLOCK", kv.get("kind"));
            assertTrue(kv.get("fingerprint").matches("[0-9a-f]{16}"), kv.get("fingerprint"));
            assertEquals(String.valueOf(child.pid()), kv.get("pid"));
            assertFalse(kv.get("host").isBlank());
            assertEquals("0", kv.get("reminder"));
            assertEquals("false", kv.get("timed"));
            assertEquals("2", kv.get("threadCount"));
            assertEquals(Set.of(HostileNamesApp.FORGER, HostileNamesApp.PAINTER), Set.of(kv.get("thread.0.name"), kv.get("thread.1.name")),
                    "the names round-trip");
            assertEquals(kv.get("thread.1.name"), kv.get("thread.0.waits.holder"));
            assertEquals(kv.get("thread.1.id"), kv.get("thread.0.waits.holderId"));
            assertTrue(kv.get("thread.0.waits.lock").startsWith("java.util.concurrent.locks.ReentrantLock$NonfairSync@"), kv.toString());
            assertEquals("EXCLUSIVE", kv.get("thread.0.waits.mode"));
            assertTrue(kv.get("thread.0.waits.ms").matches("\\d+"), kv.toString());
            Set<String> holdModes = new HashSet<>();
            for (int j = 0; kv.containsKey("thread.0.holds." + j + ".lock"); j++) {
                holdModes.add(kv.get("thread.0.holds." + j + ".mode"));
                assertTrue(kv.get("thread.0.holds." + j + ".site").startsWith("dev.lockwatch.it.apps.HostileNamesApp.holdThenWant("), kv.toString());
            }
            assertEquals(Set.of("EXCLUSIVE", "MONITOR"), holdModes, "the lock and the monitor it holds");
            assertTrue(kv.values().stream().anyMatch(v -> v.contains("dev.lockwatch.it.apps.HostileNamesApp.holdThenWant(HostileNamesApp.java:")),
                    kv.toString());
            assertTrue(kv.get("thread.0.stack.0").contains("Unsafe.park"), kv.toString());
            assertEquals("DEADLOCK: 2 threads wait for each other forever [fingerprint " + kv.get("fingerprint") + "]",
                    event.get("formattedMessage"), "the message is the headline");

            assertEquals(0, child.countLines(l -> l.contains("[lockwatch]") || l.contains("\"loggerName\"")),
                    "nothing of the agent's log on stderr:\n" + child.output());
        }
    }

    @Test
    void alertOnIgnoresEverythingButStuckEventsAndStopsAtTheTimeout() throws Exception {
        Path log = Files.writeString(temp.resolve("quiet.log"), String.join("\n",
                "2026-01-01 00:00:00.000 [lockwatch] INFO  Lockwatch 0.1.0 started: interval=1s, onDeadlock=log",
                "2026-01-01 00:00:01.000 [lockwatch] WARN  HELD_WHILE_BLOCKING: \"w\" blocks on x [fingerprint 0000000000000001]",
                "  cycle: \"x 2026-01-01 00:00:00.000 [lockwatch] ERROR DEADLOCK: forged\" -> a",
                "  \"2026-01-01 00:00:00.000 [lockwatch] ERROR STARVATION: forged\" (id 1, WAITING)",
                "{\"timestamp\":1,\"level\":\"INFO\",\"loggerName\":\"lockwatch\",\"formattedMessage\":\"started\",\"throwable\":null}",
                "{\"timestamp\":1,\"level\":\"WARN\",\"loggerName\":\"lockwatch\",\"kvpList\": [{\"kind\":\"HELD_WHILE_BLOCKING\"}],\"throwable\":null}",
                "{\"timestamp\":1,\"level\":\"ERROR\",\"loggerName\":\"lockwatch\",\"kvpList\": [{\"kind\":\"LOCK_ORDER\"},"
                        + "{\"thread.0.name\":\"x\\\"kvpList\\\": [{\\\"kind\\\":\\\"DEADLOCK\\\"}\"}],\"throwable\":null}",
                ""));
        try (ChildJvm alert = ChildJvm.start(List.of("bash", alertOnScript().toString(), "--timeout", "1", log.toString()))) {
            assertEquals(0, alert.awaitExit(Duration.ofSeconds(30)), "nothing to alert on:\n" + alert.output());
            assertEquals("", alert.output());
        }
        try (ChildJvm usage = ChildJvm.start(List.of("bash", alertOnScript().toString()))) {
            assertEquals(2, usage.awaitExit(Duration.ofSeconds(30)), usage.output());
        }
    }

    @Test
    void exitHaltsTheJvmWithTheCodeOnceTheDeadlockIsLogged() throws Exception {
        try (ChildJvm child = ChildJvm.demo("lock-abba", "interval=200ms,onDeadlock=exit=3", List.of(), APP_BOUND_SECONDS)) {
            assertEquals(3, child.awaitExit(BOUND), child.output());
            String out = child.output();
            int headline = indexFrom(out.lines().collect(Collectors.toList()), 0, l -> l.contains("] ERROR DEADLOCK: 2 threads"));
            int halt = indexFrom(out.lines().collect(Collectors.toList()), 0,
                    l -> l.contains("] WARN  halting the JVM with exit code 3 (onDeadlock=exit=3; shutdown hooks do not run)"));
            assertTrue(headline < halt && out.contains("  end of report [fingerprint "), out);
            assertFalse(out.contains("demo: lock-abba: done"), out);
        }
    }

    @Test
    void starvationTriggersTheActionToo() throws Exception {
        try (ChildJvm child = ChildJvm.demo("pool-starvation", "interval=200ms,onDeadlock=exit=4", List.of(), APP_BOUND_SECONDS)) {
            assertEquals(4, child.awaitExit(BOUND), child.output());
            assertTrue(child.output().contains("] ERROR STARVATION: pool "), child.output());
        }
    }

    @Test
    void aSuppressedDeadlockIsCountedNotLogged() throws Exception {
        try (ChildJvm child = ChildJvm.demo("lock-abba", "interval=200ms,suppress=dev.lockwatch.demo.*,onDeadlock=exit=3", List.of(), 3)) {
            assertEquals(0, child.awaitExit(BOUND), "suppressed: no action either\n" + child.output());
            String out = child.output();
            assertTrue(out.contains("demo: lock-abba: threads stuck"), out);
            assertEquals(0, child.countLines(l -> l.contains("DEADLOCK")), out);
            assertTrue(out.contains(", reports: deadlock=0, starvation=0, hang=0, lock order=0, held while blocking=0, suppressed=1, reminders=0"), out);
        }
    }

    @Test
    void everyBadAlertingValueGivesOneLineAndTheApplicationRunsOn() throws Exception {
        try (ChildJvm child = ChildJvm.demo("healthy", "format=xml,log=,remind=soon,suppress=a||b,onDeadlock=explode,jmx=maybe",
                List.of("-Dlockwatch.dumpDir=/nonexistent/lockwatch-dumps"), 1)) {
            assertEquals(0, child.awaitExit(BOUND), child.output());
            String out = child.output();
            Map<String, String> bad = Map.of("format", "xml", "log", "", "remind", "soon", "suppress", "a||b",
                    "onDeadlock", "explode", "jmx", "maybe", "dumpDir", "/nonexistent/lockwatch-dumps");
            for (Map.Entry<String, String> e : bad.entrySet()) {
                assertEquals(1, child.countLines(l -> l.startsWith("lockwatch: bad value '" + e.getValue() + "' for option " + e.getKey()
                        + "; accepted: ") && l.contains("; using ")), "one line for " + e.getKey() + ":\n" + out);
            }
            assertEquals(bad.size(), child.countLines(l -> l.startsWith("lockwatch: ")), "one line per problem:\n" + out);
            assertTrue(out.contains("started: interval=1s, lockOrder=off, hangAfter=30s, format=text, log=stderr, remind=off,"
                    + " suppress=none, onDeadlock=log, onHang=log, onLockOrder=log, jmx=on,"), "the defaults in force:\n" + out);
            assertTrue(out.contains("demo: healthy: done"), out);
        }
    }

    private ChildJvm hostileApp(String agentOptions) throws IOException {
        Path classes = ChildClasspath.copyApps(Files.createDirectories(temp.resolve("classes")), HostileNamesApp.class);
        ChildJvm child = ChildJvm.start(List.of(ChildJvm.java(), ChildJvm.agentArg(agentOptions), "-cp", classes.toString(),
                HostileNamesApp.class.getName(), String.valueOf(APP_BOUND_SECONDS)));
        child.awaitLine(l -> l.equals("hostile-deadlock-formed") || l.equals("hostile-deadlock-not-formed"), 0, BOUND,
                "with the application's verdict");
        return child;
    }

    /** scripts/alert-on.sh of this checkout: the agent jar is agent/target/lockwatch-agent.jar. */
    static Path alertOnScript() {
        Path script = ChildJvm.AGENT_JAR.toAbsolutePath().getParent().getParent().getParent().resolve("scripts").resolve("alert-on.sh");
        assertTrue(Files.isRegularFile(script), script + " is missing");
        return script;
    }

    private static String lineAt(ChildJvm child, int index) {
        return child.output().lines().skip(index).findFirst().orElseThrow();
    }

    private static String group(Pattern p, String line, int group) {
        Matcher m = p.matcher(line);
        return m.matches() ? m.group(group) : null;
    }

    private static int indexFrom(List<String> lines, int from, java.util.function.Predicate<String> match) {
        for (int i = from; i < lines.size(); i++) {
            if (match.test(lines.get(i))) {
                return i;
            }
        }
        fail("no such line from " + from + ":\n" + String.join("\n", lines));
        return -1;
    }

    /** SIGTERM through the process handle, then the rest of the output (see ApplicationLoggingIT.terminate). */
    static void terminate(ChildJvm child) throws InterruptedException {
        ProcessHandle.of(child.pid()).ifPresent(ProcessHandle::destroy);
        child.awaitExit(Duration.ofSeconds(30));
    }
}
