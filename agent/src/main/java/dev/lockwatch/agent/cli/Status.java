package dev.lockwatch.agent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code status <pid>}: the counts, the options in force and the current wait-for graph of a running JVM that has
 * Lockwatch, asked for through the attach API ({@link Protocol}): nothing is started in the target, no JMX
 * connector, no port; the attach mechanism's own channel (a socket only this user can open) is all it uses.
 *
 * <p>A JVM is only attached to when the JDK lists it: the attach handshake sends SIGQUIT, which kills a process that
 * is not a JVM. A JVM without Lockwatch is told apart by the system property Lockwatch sets, before anything is
 * loaded into it. Every failure is one line on stderr and exit code 1.
 */
final class Status {
    private Status() {
    }

    static int print(String pid, File jar, PrintStream out, PrintStream err) {
        if (!pid.matches("\\d{1,10}")) {
            err.println("lockwatch: '" + pid + "' is not a process id; usage: status <pid>");
            return 2;
        }
        if (jar == null) {
            return 1;
        }
        if (!ProcessHandle.of(Long.parseLong(pid)).isPresent()) {
            err.println("lockwatch: no status for " + pid + ": no such process");
            return 1;
        }
        if (!Cli.listed(pid)) {
            err.println("lockwatch: no status for " + pid + ": it is not a JVM of this user that can be attached to"
                    + " (see 'list')");
            return 1;
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException | IOException | RuntimeException e) {
            err.println("lockwatch: cannot attach to " + pid + ": " + Cli.reason(e));
            return 1;
        }
        try {
            if (vm.getSystemProperties().getProperty(Protocol.RUNNING_PROPERTY) == null) {
                err.println("lockwatch: JVM " + pid + " does not run Lockwatch (start it with -javaagent, or"
                        + " 'java -jar lockwatch-agent.jar attach " + pid + "')");
                return 1;
            }
            String reply = Cli.load(vm, jar, Protocol.STATUS);
            if (reply == null) {
                err.println("lockwatch: JVM " + pid + " runs Lockwatch but gave no status");
                return 1;
            }
            out.print(reply);
            out.flush();
            return 0;
        } catch (AgentLoadException | AgentInitializationException | IOException | RuntimeException e) {
            err.println("lockwatch: cannot read the status of " + pid + ": " + Cli.reason(e));
            return 1;
        } finally {
            Cli.detach(vm);
        }
    }
}
