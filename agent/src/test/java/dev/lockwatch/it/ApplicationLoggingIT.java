package dev.lockwatch.it;

import dev.lockwatch.it.apps.LoggingApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application that brings its own SLF4J and Logback (unrelocated) and its own {@code logback.xml} (WARN root,
 * loggers {@code lockwatch} and {@code dev.lockwatch} off), and deadlocks. The agent's logging and the
 * application's must not see each other (STYLE.md, guarantee 2): the agent reports in its own format at its own
 * levels, the application's lines keep the application's pattern and levels, and the application's logging is
 * still the one it configured after the agent has been at work.
 */
class ApplicationLoggingIT {
    private static final String APP_CONFIG = String.join("\n",
            "<configuration>",
            "  <appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
            "    <encoder>",
            "      <pattern>APP|%level|%logger|%msg%n</pattern>",
            "    </encoder>",
            "  </appender>",
            "  <logger name=\"lockwatch\" level=\"OFF\"/>",
            "  <logger name=\"dev.lockwatch\" level=\"OFF\"/>",
            "  <root level=\"WARN\">",
            "    <appender-ref ref=\"OUT\"/>",
            "  </root>",
            "</configuration>",
            "");
    private static final Pattern AGENT_LINE = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[lockwatch\\] ");
    /** How long the application stays up by itself; the test stops it much earlier. */
    private static final int APP_BOUND_SECONDS = 120;

    @TempDir
    Path temp;

    @Test
    void logbackXmlOnTheClassPath() throws Exception {
        Path configDir = Files.createDirectories(temp.resolve("config"));
        Files.writeString(configDir.resolve("logback.xml"), APP_CONFIG);
        runAndCheck(List.of(), configDir);
    }

    /**
     * The application names its configuration and its SLF4J provider with the standard system properties (and
     * the file is not on the class path, so only the property can find it). The agent's relocated Logback and
     * SLF4J read {@code lockwatch.}-prefixed keys and must leave these to the application.
     */
    @Test
    void logbackConfigurationFileAndSlf4jProviderProperties() throws Exception {
        Path config = Files.writeString(Files.createDirectories(temp.resolve("config")).resolve("logback.xml"), APP_CONFIG);
        runAndCheck(List.of(
                "-Dlogback.configurationFile=" + config.toAbsolutePath(),
                "-Dslf4j.provider=ch.qos.logback.classic.spi.LogbackServiceProvider"), null);
    }

    private void runAndCheck(List<String> jvmArgs, Path configDirOnClasspath) throws Exception {
        List<Path> cp = new ArrayList<>();
        cp.add(ChildClasspath.copyApps(Files.createDirectories(temp.resolve("classes")), LoggingApp.class));
        cp.add(ChildClasspath.locationOf(org.slf4j.LoggerFactory.class));
        cp.add(ChildClasspath.locationOf(ch.qos.logback.classic.LoggerContext.class));
        cp.add(ChildClasspath.locationOf(ch.qos.logback.core.Context.class));
        if (configDirOnClasspath != null) {
            cp.add(configDirOnClasspath);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.java());
        cmd.add(ChildJvm.agentArg(""));
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(ChildClasspath.join(cp));
        cmd.add(LoggingApp.class.getName());
        cmd.add(String.valueOf(APP_BOUND_SECONDS));

        try (ChildJvm child = ChildJvm.start(cmd)) {
            child.awaitLine(l -> l.contains("app-logging-intact") || l.startsWith("app-logging-broken")
                    || l.startsWith("app-deadlock-not-formed"), 0, ChildJvm.DEFAULT_WAIT, "with the application's verdict");
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            terminate(child);
            String out = child.output();

            String first = report.text().lines().findFirst().orElseThrow();
            assertTrue(AGENT_LINE.matcher(first).find() && first.contains("[lockwatch] ERROR DEADLOCK: "),
                    "report in the agent's own format, not the application's:\n" + out);
            for (String thread : List.of("app-thread-1", "app-thread-2")) {
                assertTrue(report.text().contains("\"" + thread + "\" (id "), "report names " + thread + ":\n" + out);
            }
            assertTrue(report.text().contains("acquired at dev.lockwatch.it.apps.LoggingApp.holdThenWant(LoggingApp.java:"),
                    "the application's lock sites are recorded:\n" + out);

            assertTrue(out.lines().anyMatch(l -> AGENT_LINE.matcher(l).find() && l.contains("[lockwatch] INFO  Lockwatch 0.1.0 started")),
                    "the agent's INFO start-up line, whatever the application's levels:\n" + out);
            assertTrue(out.lines().anyMatch(l -> l.equals("APP|WARN|app|app-started")), "application line in its pattern:\n" + out);
            assertTrue(out.lines().anyMatch(l -> l.equals("APP|WARN|app|app-logging-intact")),
                    "the application's logging is intact after the deadlock was reported:\n" + out);
            assertFalse(out.contains("app-debug"), "the application's WARN root filters its DEBUG line:\n" + out);
            assertEquals(0, out.lines().filter(l -> l.startsWith("APP|") && l.contains("DEADLOCK")).count(),
                    "the agent's report must not go through the application's logging:\n" + out);
            assertEquals(1, child.countLines(l -> l.contains("ERROR DEADLOCK")), "one report:\n" + out);
            assertTrue(out.contains("Lockwatch stopped: transformation errors=0,"), out);
        }
    }

    /**
     * SIGTERM through the process handle, then waits for the exit and the rest of the output. Not
     * {@link ChildJvm#stop()}: {@code Process.destroy()} closes the pipe it reads, so whatever the shutdown hooks
     * print (the agent's "Lockwatch stopped" line) is lost.
     */
    private static void terminate(ChildJvm child) throws InterruptedException {
        ProcessHandle.of(child.pid()).ifPresent(ProcessHandle::destroy);
        child.awaitExit(Duration.ofSeconds(30));
    }
}
