package dev.lockwatch.agent.ops;

import dev.lockwatch.agent.alert.Event;
import dev.lockwatch.agent.alert.Output;
import dev.lockwatch.agent.config.Options;

import java.util.ArrayList;
import java.util.List;

/**
 * The log as an output: events and the agent's own lines, through {@link AgentLog}, which is built the first time
 * something needs it. In the default setup (text on stderr) that is the first event or warning, so a JVM where
 * nothing is found never configures Logback; a JSON, file or {@code logConfig} setup is built at start, on the
 * agent's thread, so that its start line is written in its format.
 */
public final class LogOutput implements Output {
    private final Options options;
    private final List<String> startProblems;
    private final boolean problemsOnStderr;
    private volatile AgentLog log;

    /**
     * @param startProblems    option problems found at start-up
     * @param problemsOnStderr whether they were already printed to stderr as plain lines (all but JSON on stderr)
     */
    public LogOutput(Options options, List<String> startProblems, boolean problemsOnStderr) {
        this.options = options;
        this.startProblems = List.copyOf(startProblems);
        this.problemsOnStderr = problemsOnStderr;
    }

    /** Whether anything but the default text-on-stderr setup is asked for: then Logback is set up at start. */
    public static boolean builtInStderrText(Options options) {
        return options.logConfig() == null && options.log() == null && options.format() == Options.Format.TEXT;
    }

    /** Whether problem lines are printed to stderr before the log exists (all setups but JSON on stderr). */
    public static boolean problemsOnStderr(Options options) {
        return !(options.logConfig() == null && options.log() == null && options.format() == Options.Format.JSON);
    }

    /** Writes the start-up line; builds the log first unless the default setup needs none. */
    public void start(String line) {
        if (builtInStderrText(options) && log == null) {
            EarlyLine.info(line);
        } else {
            log().info(line);
        }
    }

    /** Where the log really goes. */
    public String destination() {
        AgentLog l = log;
        if (l != null) {
            return l.destination();
        }
        return builtInStderrText(options) ? "stderr" : log().destination();
    }

    private AgentLog log() {
        AgentLog l = log;
        if (l == null) {
            synchronized (this) {
                l = log;
                if (l == null) {
                    List<String> problems = new ArrayList<>();
                    l = AgentLog.create(options, problems::add);
                    boolean toStderr = l.destination().equals("stderr");
                    boolean toFile = !toStderr && !l.destination().startsWith("logConfig ");
                    for (String p : problems) { // whoever starts the JVM sees them, unless stderr is JSON
                        if (!(l.json() && toStderr)) {
                            System.err.println("lockwatch: " + p);
                        }
                    }
                    if (l.json() || toFile) { // and a log of its own gets them too
                        List<String> replay = new ArrayList<>(problems);
                        if (!problemsOnStderr || toFile) {
                            replay.addAll(0, startProblems);
                        }
                        l.reportProblems(replay);
                    }
                    log = l;
                }
            }
        }
        return l;
    }

    @Override
    public void event(Event event) {
        try {
            log().event(event);
        } catch (Throwable t) {
            EarlyLine.lastResort(event.kind().stuck() ? "ERROR" : "WARN", event.text());
        }
    }

    @Override
    public void notice(String line, boolean warning) {
        try {
            if (warning) {
                log().warn(line);
            } else {
                log().info(line);
            }
        } catch (Throwable t) {
            EarlyLine.lastResort(warning ? "WARN" : "INFO", line);
        }
    }

    /** The last line, at shutdown: through the log if it exists, else as the start line was written. */
    public void stop(String line) {
        AgentLog l = log;
        if (l == null && builtInStderrText(options)) {
            EarlyLine.info(line);
        } else {
            log().info(line);
        }
    }

    /** Flushes and stops the log (the JVM halts next). */
    public void close() {
        AgentLog l = log;
        if (l != null) {
            l.close();
        }
    }
}
