package dev.lockwatch.it;

import dev.lockwatch.agent.ops.LockwatchMXBean;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operations on a running JVM with the built agent: the MBean {@code dev.lockwatch:type=Lockwatch}, the
 * {@code status <pid>} command and the JFR event of each report; and {@code status} of a JVM without Lockwatch
 * and of a process that is no JVM.
 */
class OperationsIT {
    private static final Pattern FINGERPRINT = Pattern.compile("\\[fingerprint ([0-9a-f]{16})\\]");
    private static final Pattern WAIT_LINE = Pattern.compile(
            "  \"lock-A-then-B\" \\(id \\d+\\) waits for lock java\\.util\\.concurrent\\.locks\\.ReentrantLock\\$NonfairSync@[0-9a-f]+,"
                    + " held by \"lock-B-then-A\" \\(id \\d+\\), for \\d+ ms");
    private static final Duration BOUND = ChildJvm.DEFAULT_WAIT;

    @TempDir
    Path temp;

    @Test
    void theMBeanStatusAndAJfrRecordingShowTheDeadlock() throws Exception {
        Path recording = temp.resolve("recording.jfr");
        try (ChildJvm child = ChildJvm.demo("lock-abba", "interval=200ms",
                List.of("-XX:StartFlightRecording=filename=" + recording + ",dumponexit=true"), 120)) {
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            Matcher fp = FINGERPRINT.matcher(report.text());
            assertTrue(fp.find(), report.text());
            String fingerprint = fp.group(1);

            // The MBean, read the way any JMX client reads it.
            try (Jmx jmx = Jmx.of(child.pid())) {
                LockwatchMXBean bean = jmx.bean();
                assertEquals("0.1.0", bean.getVersion());
                assertEquals(1, bean.getDeadlockCount());
                assertEquals(0, bean.getStarvationCount());
                assertEquals(0, bean.getLockOrderCount());
                assertEquals(0, bean.getHeldWhileBlockingCount());
                assertEquals(0, bean.getSuppressedCount());
                assertTrue(bean.getCheckCount() > 0);
                assertTrue(bean.getOptions().startsWith("interval=200ms, lockOrder=off, hangAfter=30s, format=text, log=stderr,"),
                        bean.getOptions());
                assertTrue(bean.getLastReport().startsWith("DEADLOCK: 2 threads wait for each other forever [fingerprint " + fingerprint + "]"),
                        bean.getLastReport());
                String graph = bean.dumpWaitForGraph();
                assertTrue(graph.startsWith("wait-for graph as of check "), graph);
                assertTrue(graph.lines().anyMatch(l -> WAIT_LINE.matcher(l).matches()), "who waits for what, for how long:\n" + graph);
            }

            // status <pid>: the same, from the command line.
            try (ChildJvm status = agentCommand("status", String.valueOf(child.pid()))) {
                assertEquals(0, status.awaitExit(BOUND), status.output());
                List<String> lines = status.output().lines().collect(Collectors.toList());
                assertTrue(lines.get(0).matches("Lockwatch 0\\.1\\.0 in JVM " + child.pid() + ": \\d+ checks; reports: deadlock 1,"
                        + " starvation 0, hang 0, lock order 0, held while blocking 0; suppressed 0, reminders 0"), status.output());
                assertTrue(lines.get(1).startsWith("options: interval=200ms,"), status.output());
                assertTrue(lines.get(2).startsWith("wait-for graph as of check "), status.output());
                assertTrue(lines.stream().anyMatch(l -> WAIT_LINE.matcher(l).matches()), status.output());
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("  \"lock-B-then-A\" (id ") && l.contains("held by \"lock-A-then-B\"")),
                        status.output());
            }

            AlertingIT.terminate(child);
            assertTrue(Files.isRegularFile(recording), "the recording was dumped at exit:\n" + child.output());
            List<RecordedEvent> events = RecordingFile.readAllEvents(recording).stream()
                    .filter(e -> e.getEventType().getName().equals("dev.lockwatch.Report"))
                    .collect(Collectors.toList());
            assertEquals(1, events.size(), "one report, one event: " + events);
            RecordedEvent e = events.get(0);
            assertEquals("DEADLOCK", e.getString("kind"));
            assertEquals(fingerprint, e.getString("fingerprint"));
            assertEquals(0, e.getInt("reminder"));
            assertTrue(e.getString("threads").contains("\"lock-A-then-B\"") && e.getString("threads").contains("\"lock-B-then-A\""),
                    e.getString("threads"));
            assertTrue(e.getString("report").startsWith("DEADLOCK: 2 threads") && e.getString("report").contains("end of report"),
                    e.getString("report"));
            assertEquals("Lockwatch", e.getEventType().getCategoryNames().get(0));
        }
    }

    @Test
    void statusOfAJvmWithoutLockwatchOrOfAnythingElseIsOneClearLine() throws Exception {
        try (ChildJvm plain = ChildJvm.start(List.of(ChildJvm.java(), "-jar", ChildJvm.DEMO_JAR.toAbsolutePath().toString(),
                "healthy", "--seconds", "60"))) {
            plain.awaitLine("demo: scenario healthy started");
            try (ChildJvm status = agentCommand("status", String.valueOf(plain.pid()))) {
                assertEquals(1, status.awaitExit(BOUND), status.output());
                assertEquals(List.of("lockwatch: JVM " + plain.pid() + " does not run Lockwatch (start it with -javaagent, or"
                        + " 'java -jar lockwatch-agent.jar attach " + plain.pid() + "')"), status.output().lines().collect(Collectors.toList()));
            }
        }

        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try (ChildJvm status = agentCommand("status", String.valueOf(sleeper.pid()))) {
            assertEquals(1, status.awaitExit(BOUND), status.output());
            List<String> lines = status.output().lines().collect(Collectors.toList());
            assertEquals(1, lines.size(), status.output());
            assertTrue(lines.get(0).startsWith("lockwatch: no status for " + sleeper.pid() + ": it is not a JVM"), status.output());
            assertTrue(sleeper.isAlive(), "a process that is not a JVM is never signalled");
        } finally {
            sleeper.destroyForcibly();
        }

        try (ChildJvm status = agentCommand("status", "not-a-pid")) {
            assertNotEquals(0, status.awaitExit(BOUND), status.output());
            assertEquals(1, status.output().lines().count(), status.output());
            assertFalse(status.output().contains("Exception"), status.output());
        }
    }

    static ChildJvm agentCommand(String... args) throws java.io.IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(ChildJvm.java(), "-jar", ChildJvm.AGENT_JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return ChildJvm.start(cmd);
    }
}
