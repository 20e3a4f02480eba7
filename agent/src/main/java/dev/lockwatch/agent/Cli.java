package dev.lockwatch.agent;

import java.io.PrintStream;

/** {@code java -jar lockwatch-agent.jar <command>}. */
final class Cli {
    private Cli() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            out.println("usage: java -jar lockwatch-agent.jar <command>");
            out.println("  version        print the version");
            out.println("As an agent: java -javaagent:lockwatch-agent.jar[=key=value,...] -jar app.jar");
            return 0;
        }
        if (args[0].equals("version")) {
            out.println("Lockwatch " + Lockwatch.VERSION);
            return 0;
        }
        err.println("lockwatch: unknown command '" + args[0] + "'; accepted: help, version");
        return 2;
    }
}
