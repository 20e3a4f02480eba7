package dev.lockwatch.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real child JVM (the JDK that runs the tests) with the built agent jar, whose output (stdout and stderr,
 * merged) is read line by line. Every wait has a hard bound and fails with the whole output so far; the child
 * is killed on close.
 */
public final class ChildJvm implements AutoCloseable {
    public static final Path AGENT_JAR = Path.of(System.getProperty("lockwatch.agentJar", "target/lockwatch-agent.jar"));
    public static final Path DEMO_JAR = Path.of(System.getProperty("lockwatch.demoJar", "../demo-app/target/lockwatch-demo.jar"));
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final List<Line> lines = new ArrayList<>();
    private final Thread reader;
    private final long startNanos = System.nanoTime();

    /** One line of output and when it arrived. */
    public record Line(String text, long nanos) {
    }

    private ChildJvm(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        process = pb.start();
        reader = new Thread(this::readOutput, "child-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static String agentArg(String options) {
        assertBuilt(AGENT_JAR);
        return "-javaagent:" + AGENT_JAR.toAbsolutePath() + (options == null || options.isEmpty() ? "" : "=" + options);
    }

    /** Runs a demo scenario with the agent; {@code jvmArgs} come before {@code -jar}. */
    public static ChildJvm demo(String scenario, String agentOptions, List<String> jvmArgs, int seconds) throws IOException {
        assertBuilt(DEMO_JAR);
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.add(agentArg(agentOptions));
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(DEMO_JAR.toAbsolutePath().toString());
        cmd.add(scenario);
        cmd.add("--seconds");
        cmd.add(String.valueOf(seconds));
        return new ChildJvm(cmd);
    }

    public static ChildJvm start(List<String> command) throws IOException {
        return new ChildJvm(command);
    }

    private static void assertBuilt(Path jar) {
        if (!Files.isRegularFile(jar)) {
            fail(jar + " is missing: build with 'mvn verify' from the repository root");
        }
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(new Line(line, System.nanoTime()));
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the child went away; what was read stays
        }
    }

    /** Waits for the first line (from index {@code from}) that matches; returns its index. */
    public int awaitLine(Predicate<String> match, int from, Duration bound, String what) {
        long deadline = System.nanoTime() + bound.toNanos();
        synchronized (lines) {
            for (int i = from; ; ) {
                while (i < lines.size()) {
                    if (match.test(lines.get(i).text())) {
                        return i;
                    }
                    i++;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    fail("no line " + what + " within " + bound.toMillis() + " ms; output was:\n" + output());
                }
                try {
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail("interrupted");
                }
            }
        }
    }

    public int awaitLine(String contains) {
        return awaitLine(l -> l.contains(contains), 0, DEFAULT_WAIT, "containing '" + contains + "'");
    }

    /**
     * Waits for a whole report of {@code kind} (from its first line to its "end of report" line) and returns
     * its text.
     */
    public Report awaitReport(String kind) {
        int first = awaitLine(l -> l.contains("] ERROR " + kind + ":") || l.contains("] WARN  " + kind + ":"),
                0, DEFAULT_WAIT, "starting a " + kind + " report");
        int last = awaitLine(l -> l.contains("end of report [fingerprint"), first, DEFAULT_WAIT, "ending the report");
        StringBuilder sb = new StringBuilder();
        long at;
        synchronized (lines) {
            for (int i = first; i <= last; i++) {
                sb.append(lines.get(i).text()).append('\n');
            }
            at = lines.get(first).nanos();
        }
        return new Report(sb.toString(), at);
    }

    /** A report's text and when its first line arrived. */
    public record Report(String text, long nanos) {
    }

    public long lineNanos(int index) {
        synchronized (lines) {
            return lines.get(index).nanos();
        }
    }

    public String output() {
        StringBuilder sb = new StringBuilder();
        synchronized (lines) {
            for (Line l : lines) {
                sb.append(l.text()).append('\n');
            }
        }
        return sb.toString();
    }

    public long countLines(Predicate<String> match) {
        synchronized (lines) {
            return lines.stream().map(Line::text).filter(match).count();
        }
    }

    /** Waits for the child to exit by itself; returns its exit code. */
    public int awaitExit(Duration bound) throws InterruptedException {
        if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("child did not exit within " + bound.toMillis() + " ms; output was:\n" + output());
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    /** Asks the child to stop (SIGTERM, so shutdown hooks run) and waits for it and its output. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
    }

    public long pid() {
        return process.pid();
    }

    public long startNanos() {
        return startNanos;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
