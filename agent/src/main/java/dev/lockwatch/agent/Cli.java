package dev.lockwatch.agent;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;

/**
 * {@code java -jar lockwatch-agent.jar <command>}: attach to a running JVM, list the JVMs that can be attached
 * to, print the version. Every failure is one line on stderr and a non-zero exit code; the target is never
 * touched unless the attach itself succeeds.
 */
final class Cli {
    static final String USAGE = "usage: java -jar lockwatch-agent.jar <command>\n"
            + "  list                       the local JVMs Lockwatch can attach to (pid and main class)\n"
            + "  attach <pid> [options]     start Lockwatch in a running JVM (options as key=value,key=value)\n"
            + "  status <pid>               the current wait-for graph of a JVM that runs Lockwatch\n"
            + "  version                    the version\n"
            + "As an agent: java -javaagent:lockwatch-agent.jar[=key=value,...] -jar app.jar";

    private Cli() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "help" : args[0];
        switch (command) {
            case "help":
            case "--help":
            case "-h":
                out.println(USAGE);
                return 0;
            case "version":
                out.println("Lockwatch " + Lockwatch.VERSION);
                return 0;
            case "list":
                return list(out, err);
            case "attach":
                if (args.length < 2 || args.length > 3) {
                    err.println("lockwatch: attach needs a process id and optional options; " + "usage: attach <pid> [key=value,...]");
                    return 2;
                }
                return attach(args[1], args.length == 3 ? args[2] : "", out, err);
            case "status":
                if (args.length != 2) {
                    err.println("lockwatch: status needs a process id; usage: status <pid>");
                    return 2;
                }
                return Status.print(args[1], out, err);
            default:
                err.println("lockwatch: unknown command '" + command + "'; accepted: list, attach, status, version, help");
                return 2;
        }
    }

    private static int list(PrintStream out, PrintStream err) {
        String self = String.valueOf(ProcessHandle.current().pid());
        int n = 0;
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(self)) {
                continue;
            }
            String main = d.displayName().isEmpty() ? "(unknown main class)" : d.displayName();
            out.println(d.id() + "\t" + main);
            n++;
        }
        if (n == 0) {
            err.println("lockwatch: no other JVM of this user can be attached to on this machine");
        }
        return 0;
    }

    private static int attach(String pid, String options, PrintStream out, PrintStream err) {
        if (!pid.matches("\\d{1,10}")) {
            err.println("lockwatch: '" + pid + "' is not a process id; usage: attach <pid> [key=value,...]");
            return 2;
        }
        File jar;
        try {
            jar = agentJar();
        } catch (URISyntaxException | IllegalStateException e) {
            err.println("lockwatch: cannot locate the agent jar: " + e.getMessage());
            return 1;
        }
        if (!ProcessHandle.of(Long.parseLong(pid)).isPresent()) {
            err.println("lockwatch: cannot attach to " + pid + ": no such process");
            return 1;
        }
        // The attach handshake signals the target (SIGQUIT), which kills a process that is not a JVM: only
        // attach to a pid the JDK lists as a JVM of this user.
        boolean listed = false;
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            listed |= d.id().equals(pid);
        }
        if (!listed) {
            err.println("lockwatch: cannot attach to " + pid + ": it is not a JVM of this user that can be attached to"
                    + " (see 'list'; a JVM run with -XX:-UsePerfData or by another user is not listed)");
            return 1;
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException | IOException e) {
            err.println("lockwatch: cannot attach to " + pid + ": " + reason(e)
                    + " (is it a running JVM of this user, with attach enabled?)");
            return 1;
        }
        try {
            String already = vm.getSystemProperties().getProperty(Lockwatch.RUNNING_PROPERTY);
            vm.loadAgent(jar.getAbsolutePath(), options);
            if (already != null) {
                out.println("lockwatch: Lockwatch " + already + " is already running in " + pid
                        + "; nothing was instrumented twice" + (options.isEmpty() ? "" : "; options applied: " + options));
            } else {
                out.println("lockwatch: attached to " + pid + "; reports go to that JVM's stderr (or its logConfig)");
            }
            return 0;
        } catch (AgentLoadException | AgentInitializationException | IOException e) {
            err.println("lockwatch: attached to " + pid + " but the agent did not load: " + reason(e));
            return 1;
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the target went away; nothing to undo
            }
        }
    }

    static File agentJar() throws URISyntaxException {
        File jar = new File(Cli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!jar.isFile()) {
            throw new IllegalStateException(jar + " is not a jar file");
        }
        return jar;
    }

    static String reason(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.replace('\n', ' ');
    }
}
