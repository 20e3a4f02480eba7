package dev.lockwatch.demo;

import java.time.Duration;

/**
 * {@code java -jar lockwatch-demo.jar <scenario> [--seconds N]}, or {@code list}. Exits 0 after the run, 2 on a
 * bad command line. Output lines start with {@code demo:} so tests can tell them from the agent's.
 */
public final class DemoMain {

    private static final int BAD_COMMAND_LINE = 2;
    private static final Duration DEFAULT_RUN_TIME = Duration.ofSeconds(8);

    /** A command-line mistake; its message is the one line printed to stderr. */
    private static final class CommandLineException extends Exception {
        private static final long serialVersionUID = 1L;

        CommandLineException(String message) {
            super(message, null, false, false);
        }
    }

    private DemoMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ScenarioRegistry scenarios = ScenarioRegistry.standard();
        if (args.length == 0 || args[0].equals("list")) {
            for (Scenario scenario : scenarios.all()) {
                System.out.printf("%-26s %s%n", scenario.name(), scenario.description());
            }
            return;
        }
        Scenario scenario;
        Duration runTime;
        try {
            scenario = scenarios.find(args[0]).orElseThrow(() -> new CommandLineException(
                    "unknown scenario '" + args[0] + "'; known: " + String.join(", ", scenarios.names())));
            runTime = runTime(args);
        } catch (CommandLineException e) {
            System.err.println("demo: " + e.getMessage());
            System.exit(BAD_COMMAND_LINE);
            return;
        }
        if (Boolean.getBoolean("demo.awaitAgent")) {
            awaitAgent();
        }
        Deadline end = Deadline.after(runTime);
        System.out.println("demo: scenario " + scenario.name() + " started");
        scenario.run(end);
        // Stuck scenario threads are daemons, but an attached agent may keep non-daemon threads: exit explicitly.
        System.exit(0);
    }

    /**
     * {@code -Ddemo.awaitAgent=true}: stage the scenario only once Lockwatch runs in this JVM (it sets the system
     * property {@code dev.lockwatch.running} when it starts), so that a test can attach first and deadlock after.
     */
    private static void awaitAgent() throws InterruptedException {
        System.out.println("demo: waiting for Lockwatch to attach");
        Deadline bound = Deadline.after(Duration.ofSeconds(60));
        while (System.getProperty("dev.lockwatch.running") == null) {
            if (bound.passed()) {
                System.out.println("demo: Lockwatch did not attach within 60 s; running without it");
                return;
            }
            Thread.sleep(20);
        }
    }

    private static Duration runTime(String[] args) throws CommandLineException {
        if (args.length == 1) {
            return DEFAULT_RUN_TIME;
        }
        if (args.length != 3 || !args[1].equals("--seconds")) {
            throw new CommandLineException("usage: java -jar lockwatch-demo.jar <scenario> [--seconds N], or list");
        }
        try {
            long seconds = Long.parseLong(args[2]);
            if (seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // same message as a non-positive number
        }
        throw new CommandLineException("--seconds needs a positive whole number, got '" + args[2] + "'");
    }
}
