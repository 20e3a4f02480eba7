package dev.lockwatch.agent;

import java.io.PrintStream;

/** {@code status <pid>}: to be served by the agent's MBean. */
final class Status {
    private Status() {
    }

    static int print(String pid, PrintStream out, PrintStream err) {
        err.println("lockwatch: status is not available in this version");
        return 1;
    }
}
