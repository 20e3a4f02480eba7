package dev.lockwatch.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code java -jar lockwatch-agent.jar attach <pid>} against real child JVMs started without the agent:
 * deadlocks that formed before the attach, deadlocks that form after it, attaching twice, and bad targets.
 */
class AttachIT {
    private static final long INTERVAL_MS = 250;

    /** The result of one command-line run of the agent jar. */
    record Cli(int exit, String out, String err) {
    }

    static Cli cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-jar", ChildJvm.AGENT_JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("lockwatch " + String.join(" ", args) + " did not finish within 60 s");
        }
        return new Cli(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static ChildJvm demoWithoutAgent(String scenario, List<String> jvmArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.java());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", ChildJvm.DEMO_JAR.toAbsolutePath().toString(), scenario, "--seconds", "60"));
        return ChildJvm.start(cmd);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"monitor-abba", "lock-abba"})
    void deadlockFormedBeforeTheAttachIsReportedWithinOneInterval(String scenario) throws Exception {
        try (ChildJvm child = demoWithoutAgent(scenario, List.of())) {
            child.awaitLine("threads stuck");
            Cli attach = cli("attach", String.valueOf(child.pid()), "interval=" + INTERVAL_MS + "ms");
            long attached = System.nanoTime();
            assertEquals(0, attach.exit(), attach.err());
            assertTrue(attach.out().contains("attached to " + child.pid()), attach.out());

            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            long ms = TimeUnit.NANOSECONDS.toMillis(report.nanos() - attached);
            System.out.println("attach-to-report " + scenario + ": " + ms + " ms");
            // Within one interval of the agent's start, plus slack for the agent's start-up in the target.
            assertTrue(ms <= INTERVAL_MS + 3000, "reported " + ms + " ms after the attach returned");
            String prefix = scenario.startsWith("monitor") ? "monitor" : "lock";
            assertTrue(report.text().contains("\"" + prefix + "-A-then-B\" (id "), report.text());
            assertTrue(report.text().contains("\"" + prefix + "-B-then-A\" (id "), report.text());
            if (scenario.startsWith("monitor")) {
                // the JVM recorded where the monitors were entered, and the stuck frames keep their lines
                assertTrue(report.text().matches("(?s).*acquired at dev\\.lockwatch\\.demo\\.MonitorAbba\\.aThenB\\(MonitorAbba\\.java:\\d+\\).*"),
                        report.text());
            } else {
                // taken before the agent ran: the owner is known, the site is not, and none is invented
                assertTrue(report.text().contains("site not recorded"), report.text());
                assertTrue(report.text().matches("(?s).*at app//dev\\.lockwatch\\.demo\\.LockAbba\\.aThenB\\(LockAbba\\.java:\\d+\\).*"),
                        report.text());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rw-cycle", "future-lock"})
    void deadlockFormedAfterTheAttachIsReportedWithSites(String scenario) throws Exception {
        try (ChildJvm child = demoWithoutAgent(scenario, List.of("-Ddemo.awaitAgent=true"))) {
            child.awaitLine("waiting for Lockwatch to attach");
            Cli attach = cli("attach", String.valueOf(child.pid()), "interval=" + INTERVAL_MS + "ms");
            assertEquals(0, attach.exit(), attach.err());
            child.awaitLine("threads stuck");
            String report = child.awaitReport("DEADLOCK").text();
            if (scenario.equals("rw-cycle")) {
                assertTrue(report.matches("(?s).*holds read lock .*, acquired at dev\\.lockwatch\\.demo\\.ReadWriteCycle\\.readAWriteB\\(ReadWriteCycle\\.java:\\d+\\).*"), report);
                assertTrue(report.contains("\"rw-read-B-write-A\" (id "), report);
            } else {
                assertTrue(report.contains("waits for task java.util.concurrent.FutureTask@"), report);
                assertTrue(report.contains("\"lock-holder\" (id "), report);
                assertTrue(report.contains("\"future-lock-worker\" (id "), report);
            }
        }
    }

    @Test
    void attachingTwiceInstrumentsOnceAndAppliesTheNewOptions() throws Exception {
        try (ChildJvm child = demoWithoutAgent("monitor-abba", List.of())) {
            child.awaitLine("threads stuck");
            String pid = String.valueOf(child.pid());
            Cli first = cli("attach", pid, "interval=250ms");
            assertEquals(0, first.exit(), first.err());
            child.awaitLine("Lockwatch 0.1.0 started (attached)");
            Cli second = cli("attach", pid, "interval=500ms");
            assertEquals(0, second.exit(), second.err());
            assertTrue(second.out().contains("already running in " + pid), second.out());
            child.awaitLine("already running in " + pid + "; nothing was instrumented twice; applied: interval=500ms");
            child.awaitReport("DEADLOCK");
            assertEquals(1, child.countLines(l -> l.contains("Lockwatch 0.1.0 started")), child.output());
            assertEquals(1, child.countLines(l -> l.contains("ERROR DEADLOCK")), child.output());
        }
    }

    @Test
    void aPidThatIsNoProcessGivesOneLineAndExitCodeOne() throws Exception {
        long pid = ProcessHandle.current().pid();
        long free = pid + 1_000_000; // far above any live pid on this machine's default pid range
        Cli cli = cli("attach", String.valueOf(free));
        assertEquals(1, cli.exit(), cli.out() + cli.err());
        assertEquals(1, cli.err().lines().count(), cli.err());
        assertTrue(cli.err().contains("cannot attach to " + free), cli.err());
    }

    @Test
    void aProcessThatIsNoJvmIsRefusedAndLeftAlone() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Cli cli = cli("attach", String.valueOf(sleeper.pid()));
            assertEquals(1, cli.exit(), cli.out() + cli.err());
            assertEquals(1, cli.err().lines().count(), cli.err());
            assertTrue(cli.err().contains("not a JVM"), cli.err());
            assertTrue(sleeper.isAlive(), "the attach must not harm a process that is not a JVM");
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aJvmThatRefusesAttachGivesOneLineAndRunsOn() throws Exception {
        try (ChildJvm child = demoWithoutAgent("monitor-abba", List.of("-XX:+DisableAttachMechanism"))) {
            child.awaitLine("threads stuck");
            Cli cli = cli("attach", String.valueOf(child.pid()));
            assertEquals(1, cli.exit(), cli.out() + cli.err());
            assertEquals(1, cli.err().lines().count(), cli.err());
            assertTrue(cli.err().contains("cannot attach to " + child.pid()), cli.err());
            assertTrue(ProcessHandle.of(child.pid()).map(ProcessHandle::isAlive).orElse(false), "the target runs on");
        }
    }

    @Test
    void listShowsAChildJvmWithItsMainClass() throws Exception {
        try (ChildJvm child = demoWithoutAgent("healthy", List.of())) {
            child.awaitLine("started");
            Cli list = cli("list");
            assertEquals(0, list.exit(), list.err());
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(child.pid() + "\t") && l.contains("lockwatch-demo.jar")),
                    list.out());
        }
    }

    @Test
    void badCommandLinesExitNonZeroWithOneLine() throws Exception {
        Cli notAPid = cli("attach", "abc");
        assertEquals(2, notAPid.exit());
        assertEquals(1, notAPid.err().lines().count(), notAPid.err());
    }
}
