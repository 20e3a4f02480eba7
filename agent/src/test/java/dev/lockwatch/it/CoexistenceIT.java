package dev.lockwatch.it;

import dev.lockwatch.it.agents.HidingAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, coexistence: Lockwatch with the real OpenTelemetry Java agent (2.20.1) and JaCoCo's agent (0.8.15),
 * each loaded before and after it ({@code JAVA_TOOL_OPTIONS} puts a platform's OTel first). Every scenario that
 * goes through a different part of Lockwatch (a lock cycle, a monitor cycle, a cycle through {@code Future.get},
 * pool starvation, a lock order, and a healthy run) is reported as without the other agent: the same kind, once,
 * with the same fingerprint, nothing else, and no transformation error and no hook left out. The jars come from
 * Maven Central through maven-dependency-plugin (agent/pom.xml, target/other-agents).
 *
 * <p>The scenarios of one agent order run at the same time, in as many child JVMs, to keep the test short; nothing
 * asserted depends on timing.
 */
class CoexistenceIT {
    private static final Path OTEL = Path.of(System.getProperty("lockwatch.otelJar", "target/other-agents/opentelemetry-javaagent.jar"));
    private static final Path JACOCO = Path.of(System.getProperty("lockwatch.jacocoJar", "target/other-agents/org.jacoco.agent-runtime.jar"));
    private static final Path WORK = Path.of("target", "coexistence");
    /** Generous: six JVMs starting OTel at once on two cores shared with other builds took 80 s to reach main. */
    private static final Duration BOUND = Duration.ofSeconds(180);
    /** The healthy run's length. */
    private static final int RUN_SECONDS = 4;
    /**
     * The stuck scenarios run until their report is out and are then stopped: with six JVMs starting OTel on two
     * shared cores, the first report (which builds the agent's Logback, each class of it through OTel's transformer)
     * took longer than a short run, and the exit cut it off (the last line says so).
     */
    private static final int STUCK_RUN_SECONDS = 120;
    private static final Pattern HEADLINE = Pattern.compile("\\] (?:ERROR|WARN ) ([A-Z_]+): .*\\[fingerprint ([0-9a-f]{16})\\]$");

    /** A scenario, the agent options it needs, and the one report kind it must give (null: none). */
    record Scenario(String name, String options, String kind) {
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("lock-abba", "interval=250ms", "DEADLOCK"),
            new Scenario("monitor-abba", "interval=250ms", "DEADLOCK"),
            new Scenario("future-lock", "interval=250ms", "DEADLOCK"),
            new Scenario("pool-starvation", "interval=250ms", "STARVATION"),
            new Scenario("lock-order-transfer", "lockOrder=on,interval=250ms", "LOCK_ORDER"),
            new Scenario("healthy", "interval=250ms", null));

    /** What one run gave: report kinds with their fingerprints, in order, and the whole output. */
    record Outcome(List<String> kinds, List<String> fingerprints, List<String> sites, String output) {
    }

    private static Map<String, Outcome> alone;

    @BeforeAll
    static void withoutAnotherAgent() throws Exception {
        assertTrue(Files.isRegularFile(OTEL), OTEL + " is missing: maven-dependency-plugin copies it at pre-integration-test");
        assertTrue(Files.isRegularFile(JACOCO), JACOCO + " is missing");
        Files.createDirectories(WORK);
        alone = runAll("alone", s -> List.of(), s -> List.of());
    }

    @Test
    void openTelemetryFirst() throws Exception {
        sameAsAlone("otel-first", s -> otel(), s -> List.of());
    }

    @Test
    void openTelemetryAfter() throws Exception {
        sameAsAlone("otel-after", s -> List.of(), s -> otel());
    }

    @Test
    void jacocoFirst() throws Exception {
        sameAsAlone("jacoco-first", s -> jacoco("first-" + s), s -> List.of());
    }

    @Test
    void jacocoAfter() throws Exception {
        sameAsAlone("jacoco-after", s -> List.of(), s -> jacoco("after-" + s));
    }

    /**
     * Where another agent's transformation hides a hooked JDK method (here a stand-in agent that renames
     * {@code FutureTask.awaitDone}), Lockwatch says so in one WARN, instead of silently missing the cycle.
     */
    @Test
    void aHookHiddenByAnotherAgentIsNamed() throws Exception {
        Path jar = hidingAgentJar();
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-javaagent:" + jar.toAbsolutePath(),
                ChildJvm.agentArg("interval=250ms"), "-jar", ChildJvm.DEMO_JAR.toAbsolutePath().toString(),
                "future-lock", "--seconds", String.valueOf(STUCK_RUN_SECONDS)));
        try (ChildJvm child = ChildJvm.start(cmd)) {
            child.awaitLine(l -> l.contains("WARN  hooks not applied: java.util.concurrent.FutureTask.awaitDone "),
                    0, BOUND, "naming the hidden hook");
            Thread.sleep(1000); // four more checks, which must not say it again
            child.stop();
            assertEquals(1, child.countLines(l -> l.contains("hooks not applied")), child.output());
        }
    }

    private interface Args {
        List<String> of(String scenario);
    }

    private static List<String> otel() {
        // No exporter: the child never tries the network, and OTel's own lines stay few.
        return List.of("-javaagent:" + OTEL.toAbsolutePath(), "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none",
                "-Dotel.logs.exporter=none");
    }

    private static List<String> jacoco(String name) {
        return List.of("-javaagent:" + JACOCO.toAbsolutePath() + "=destfile="
                + WORK.resolve("jacoco-" + name + ".exec").toAbsolutePath());
    }

    private static void sameAsAlone(String order, Args before, Args after) throws Exception {
        Map<String, Outcome> with = runAll(order, before, after);
        for (Scenario s : SCENARIOS) {
            Outcome expected = alone.get(s.name());
            Outcome actual = with.get(s.name());
            assertEquals(expected.kinds(), actual.kinds(), order + " " + s.name() + ":\n" + actual.output());
            assertEquals(expected.sites(), actual.sites(), order + " " + s.name() + ": the same acquisition sites:\n"
                    + actual.output());
            assertEquals(expected.fingerprints(), actual.fingerprints(), order + " " + s.name() + ": the same deadlock,"
                    + " the same fingerprint:\n" + actual.output());
        }
    }

    /** Every scenario at once, in a child JVM each: {@code before} agents, Lockwatch, {@code after} agents. */
    private static Map<String, Outcome> runAll(String order, Args before, Args after) throws Exception {
        Map<String, ChildJvm> children = new LinkedHashMap<>();
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        try {
            for (Scenario s : SCENARIOS) {
                List<String> cmd = new ArrayList<>();
                cmd.add(ChildJvm.java());
                // C1 only, in every run of every order alike: six JVMs transforming thousands of classes at once on
                // two cores spend most of their CPU in C2 otherwise; reports and fingerprints do not depend on it.
                cmd.add("-XX:TieredStopAtLevel=1");
                cmd.addAll(before.of(s.name()));
                cmd.add(ChildJvm.agentArg(s.options()));
                cmd.addAll(after.of(s.name()));
                cmd.addAll(List.of("-jar", ChildJvm.DEMO_JAR.toAbsolutePath().toString(), s.name(), "--seconds",
                        String.valueOf(s.kind() == null ? RUN_SECONDS : STUCK_RUN_SECONDS)));
                children.put(s.name(), ChildJvm.start(cmd));
            }
            for (Scenario s : SCENARIOS) {
                ChildJvm child = children.get(s.name());
                if (s.kind() == null) {
                    assertEquals(0, child.awaitExit(BOUND), order + " " + s.name() + ":\n" + child.output());
                    assertTrue(child.output().contains("demo: " + s.name() + ": done"), child.output());
                } else {
                    int first = child.awaitLine(l -> l.contains("] ERROR " + s.kind() + ":") || l.contains("] WARN  " + s.kind() + ":"),
                            0, BOUND, order + " starting a " + s.kind() + " report");
                    child.awaitLine(l -> l.contains("end of report [fingerprint"), first, BOUND, order + " ending the report");
                    Thread.sleep(1000); // four more checks, which must not report it again
                    child.stop();
                }
                String out = child.output();
                String what = order + " " + s.name() + ":\n" + out;
                // Transformation errors are logged after each check, and counted in the last line. A stopped child's
                // last line has a bounded time to be written, which a machine this loaded may not give it.
                assertTrue(s.kind() != null || out.contains("Lockwatch stopped: transformation errors=0,"), what);
                assertFalse(out.contains("Lockwatch stopped: transformation errors=") && !out.contains(
                        "Lockwatch stopped: transformation errors=0,"), what);
                assertFalse(out.contains("hooks not applied"), what);
                assertFalse(out.contains("transformation error in"), what);
                Outcome outcome = outcome(out);
                assertEquals(s.kind() == null ? List.of() : List.of(s.kind()), outcome.kinds(), what);
                outcomes.put(s.name(), outcome);
            }
        } finally {
            for (ChildJvm child : children.values()) {
                child.close();
            }
        }
        return outcomes;
    }

    private static Outcome outcome(String output) {
        List<String> kinds = new ArrayList<>();
        List<String> fingerprints = new ArrayList<>();
        List<String> sites = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.contains(", acquired at ")) {
                sites.add(line.substring(line.indexOf(", acquired at ")));
            }
            if (!line.contains("[lockwatch]")) {
                continue;
            }
            Matcher m = HEADLINE.matcher(line);
            if (m.find()) {
                kinds.add(m.group(1));
                fingerprints.add(m.group(2));
            }
        }
        sites.sort(null);
        return new Outcome(kinds, fingerprints, sites, output);
    }

    /** A jar holding only {@link HidingAgent}, with the manifest of an agent that may retransform. */
    private static Path hidingAgentJar() throws IOException {
        Path jar = WORK.resolve("hiding-agent.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Premain-Class", HidingAgent.class.getName());
        mf.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        String entry = HidingAgent.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, mf)) {
            out.putNextEntry(new JarEntry(entry));
            out.write(HidingAgent.class.getClassLoader().getResourceAsStream(entry).readAllBytes());
            out.closeEntry();
            // the anonymous transformer
            String inner = HidingAgent.class.getName().replace('.', '/') + "$1.class";
            out.putNextEntry(new JarEntry(inner));
            out.write(HidingAgent.class.getClassLoader().getResourceAsStream(inner).readAllBytes());
            out.closeEntry();
        }
        return jar;
    }
}
