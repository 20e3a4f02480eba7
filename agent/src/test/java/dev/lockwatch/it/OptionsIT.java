package dev.lockwatch.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The agent's options as a user gives them: agent arguments, {@code -Dlockwatch.*} properties and a Logback
 * file for the agent's own logging. Bad input gives one clear stderr line per problem and never stops the
 * application or the detector (STYLE.md, guarantee 3).
 */
class OptionsIT {
    private static final String PROBLEM = "lockwatch: ";
    private static final String STARTED = "Lockwatch 0.1.0 started";
    private static final int RUN_SECONDS = 4;
    private static final Duration EXIT_BOUND = Duration.ofSeconds(RUN_SECONDS + 30);

    @TempDir
    Path temp;

    @Test
    void everyBadOptionGivesOneLineAndTheDefaultsStayInForce() throws Exception {
        try (ChildJvm child = ChildJvm.demo("lock-abba", "interval=abc,bogus=1",
                List.of("-Dlockwatch.logConfig=/nonexistent/x.xml"), RUN_SECONDS)) {
            child.awaitLine("threads stuck");
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            assertEquals(0, child.awaitExit(EXIT_BOUND), child.output());
            String out = child.output();

            assertEquals(1, child.countLines(problem(l -> l.contains("'abc'") && l.contains("option interval")
                    && l.contains("accepted: a duration such as 250ms, 2s or 1m"))), "one line for interval=abc:\n" + out);
            assertEquals(1, child.countLines(problem(l -> l.contains("unknown option 'bogus'; accepted keys: ")
                    && l.matches(".*accepted keys: .*\\binterval\\b.*") && l.matches(".*accepted keys: .*\\blogConfig\\b.*"))),
                    "one line for bogus=1:\n" + out);
            assertEquals(1, child.countLines(problem(l -> l.contains("logConfig") && l.contains("/nonexistent/x.xml")
                    && l.contains("accepted: the path of a readable Logback XML file"))), "one line for the logConfig file:\n" + out);
            assertEquals(3, child.countLines(problem(l -> true)), "exactly one line per problem:\n" + out);

            assertTrue(startupLine(child).contains("interval=1s,"), "the default interval in force:\n" + out);
            assertTrue(report.text().lines().findFirst().orElseThrow().contains("[lockwatch] ERROR DEADLOCK: "),
                    "reported with the built-in stderr logging:\n" + out);
            assertTrue(out.contains("demo: lock-abba: done"), out);
            assertTrue(out.contains("Lockwatch stopped: transformation errors=0,"), out);
        }
    }

    static Stream<Arguments> intervals() {
        return Stream.of(
                Arguments.of("interval=250ms", List.of(), "250ms"),
                Arguments.of("", List.of("-Dlockwatch.interval=2s"), "2s"),
                // Both: the agent argument wins (Options: the more specific setting).
                Arguments.of("interval=300ms", List.of("-Dlockwatch.interval=2s"), "300ms"));
    }

    @ParameterizedTest(name = "agent args ''{0}'', jvm args {1} -> interval={2}")
    @MethodSource("intervals")
    void intervalInForceIsTheOneGiven(String agentArgs, List<String> jvmArgs, String expected) throws Exception {
        try (ChildJvm child = ChildJvm.demo("healthy", agentArgs, jvmArgs, 1)) {
            String line = startupLine(child);
            assertEquals(0, child.awaitExit(EXIT_BOUND), child.output());
            assertTrue(line.contains(": interval=" + expected + ","), "start-up line says interval=" + expected + ":\n" + line);
            assertEquals(0, child.countLines(problem(l -> true)), "no problem lines:\n" + child.output());
        }
    }

    /**
     * A Logback file for the agent's own logging takes all of it: the start-up line, the report and the shutdown
     * line go to the file, nothing to stderr. Run with the standard Logback class names a user writes, and with
     * the agent's relocated ones.
     */
    @ParameterizedTest(name = "appender classes under {0}")
    @ValueSource(strings = {"ch.qos.logback", "dev.lockwatch.shaded.logback"})
    void customLogConfigTakesTheAgentsLogging(String logbackPackage) throws Exception {
        Path logFile = temp.resolve("agent.log");
        Path config = Files.writeString(temp.resolve("agent-logback.xml"), String.join("\n",
                "<configuration>",
                "  <appender name=\"FILE\" class=\"" + logbackPackage + ".core.FileAppender\">",
                "    <file>" + logFile.toAbsolutePath() + "</file>",
                "    <encoder>",
                "      <pattern>CUSTOM %level %msg%n</pattern>",
                "    </encoder>",
                "  </appender>",
                "  <root level=\"INFO\">",
                "    <appender-ref ref=\"FILE\"/>",
                "  </root>",
                "</configuration>",
                ""));
        try (ChildJvm child = ChildJvm.demo("lock-abba", "logConfig=" + config.toAbsolutePath(), List.of(), RUN_SECONDS)) {
            // Problem lines come from premain, before the application's first line.
            child.awaitLine("threads stuck");
            assertEquals(0, child.countLines(problem(l -> true)), "a valid Logback file (appender " + logbackPackage
                    + ".core.FileAppender) must be accepted for the agent's logging; users write the standard"
                    + " ch.qos.logback class names, which the agent's relocated Logback must still understand:\n" + child.output());
            awaitFileContains(logFile, "CUSTOM ERROR DEADLOCK", child);
            assertEquals(0, child.awaitExit(EXIT_BOUND), child.output());
            String out = child.output();
            String log = Files.readString(logFile);

            assertTrue(log.contains("CUSTOM INFO " + STARTED), log);
            assertTrue(log.contains("  end of report [fingerprint "), log);
            assertTrue(log.contains("CUSTOM INFO Lockwatch stopped: transformation errors=0,"), log);
            assertFalse(out.contains("DEADLOCK"), "the report goes to the file only:\n" + out);
            assertFalse(out.contains("[lockwatch]"), "nothing of the agent's logging on stderr:\n" + out);
        }
    }

    @Test
    void logConfigThatIsNotXmlGivesOneLineAndTheReportGoesToStderr() throws Exception {
        Path config = Files.writeString(temp.resolve("broken.xml"), "<configuration><root level=\"INFO\">\nnot xml at all");
        try (ChildJvm child = ChildJvm.demo("lock-abba", "logConfig=" + config.toAbsolutePath(), List.of(), RUN_SECONDS)) {
            child.awaitLine("threads stuck");
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            assertEquals(0, child.awaitExit(EXIT_BOUND), child.output());
            String out = child.output();

            assertEquals(1, child.countLines(problem(l -> l.contains(config.toAbsolutePath().toString())
                    && l.contains("is not a valid Logback configuration"))), "one line naming the file:\n" + out);
            assertEquals(1, child.countLines(problem(l -> true)), "and no other problem line:\n" + out);
            assertTrue(report.text().lines().findFirst().orElseThrow().contains("[lockwatch] ERROR DEADLOCK: "),
                    "reported with the built-in stderr logging:\n" + out);
            assertTrue(out.contains("Lockwatch stopped: transformation errors=0,"), out);
        }
    }

    private static Predicate<String> problem(Predicate<String> also) {
        return l -> l.startsWith(PROBLEM) && also.test(l);
    }

    private static String startupLine(ChildJvm child) {
        int i = child.awaitLine(STARTED);
        return child.output().lines().skip(i).findFirst().orElseThrow();
    }

    /** Polls {@code file} until it contains {@code text}; fails after the bound, or once the child is gone. */
    private static void awaitFileContains(Path file, String text, ChildJvm child) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + ChildJvm.DEFAULT_WAIT.toNanos();
        while (true) {
            if (Files.isRegularFile(file) && Files.readString(file).contains(text)) {
                return;
            }
            boolean gone = !ProcessHandle.of(child.pid()).map(ProcessHandle::isAlive).orElse(false);
            if (gone && !(Files.isRegularFile(file) && Files.readString(file).contains(text))) {
                fail("'" + text + "' not in " + file + " and the child has exited; file:\n"
                        + (Files.isRegularFile(file) ? Files.readString(file) : "(missing)") + "\nchild output:\n" + child.output());
            }
            if (System.nanoTime() > deadline) {
                fail("'" + text + "' not in " + file + " within " + ChildJvm.DEFAULT_WAIT.toMillis() + " ms; file:\n"
                        + (Files.isRegularFile(file) ? Files.readString(file) : "(missing)") + "\nchild output:\n" + child.output());
            }
            Thread.sleep(50);
        }
    }
}
