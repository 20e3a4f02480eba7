package dev.lockwatch.agent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;

import dev.lockwatch.agent.config.Options;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;

/**
 * {@code java -jar lockwatch-agent.jar <command>}: attach to a running JVM, list the JVMs that can be attached
 * to, print the version. Every failure is one line on stderr and a non-zero exit code; the target is never
 * touched unless the attach itself succeeds.
 */
public final class Cli {
    static final String USAGE = "usage: java -jar lockwatch-agent.jar <command>\n"
            + "  list                       the local JVMs Lockwatch can attach to (pid and main class)\n"
            + "  attach <pid> [options]     start Lockwatch in a running JVM (options as key=value,key=value),\n"
            + "                             or change the options of the one running there\n"
            + "  status <pid>               counts, options in force and wait-for graph of a JVM that runs Lockwatch\n"
            + "  version                    the version\n"
            + "  help                       this, and every option\n"
            + "As an agent: java -javaagent:lockwatch-agent.jar[=key=value,...] -jar app.jar\n"
            + "  (or -Dlockwatch.key=value; the agent argument wins)";

    /** The usage and every option: its name, its default and the values it accepts. */
    static String help() {
        StringBuilder sb = new StringBuilder(USAGE).append("\n\noptions (key=value):\n");
        for (Options.Key k : Options.KEYS) {
            sb.append(String.format("  %-18s %s%n  %-18s default: %s; accepted: %s%n", k.name(), k.purpose(), "",
                    k.defaultValue(), k.accepted()));
        }
        sb.append("A second attach can change: ").append(String.join(", ", Options.CHANGEABLE))
                .append("; the others need a restart.");
        return sb.toString();
    }

    private Cli() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        String command = args[0];
        switch (command) {
            case "help":
            case "--help":
            case "-h":
                out.println(help());
                return 0;
            case "version":
                out.println("Lockwatch " + Protocol.version());
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
                return Status.print(args[1], agentJarOrNull(err), out, err);
            default:
                err.println("lockwatch: unknown command '" + command.replace('\n', ' ') + "'; accepted: list, attach, status, version, help");
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
        if (!listed(pid)) {
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
            String reply = load(vm, jar, options);
            out.println("lockwatch: " + (reply == null ? "the agent loaded in " + pid + " but did not answer" : reply));
            return 0;
        } catch (AgentLoadException | AgentInitializationException | IOException e) {
            err.println("lockwatch: attached to " + pid + " but the agent did not load: " + reason(e));
            return 1;
        } finally {
            detach(vm);
        }
    }

    /** Loads the agent with {@code options} and a request for an answer; returns the answer, or null. */
    static String load(VirtualMachine vm, File jar, String options)
            throws AgentLoadException, AgentInitializationException, IOException {
        String nonce = Long.toHexString(System.nanoTime()) + Long.toHexString(ProcessHandle.current().pid());
        String args = (options.isEmpty() ? "" : options + ",") + Protocol.REPLY + nonce;
        vm.loadAgent(jar.getAbsolutePath(), args);
        return vm.getSystemProperties().getProperty(Protocol.REPLY_PROPERTY + nonce);
    }

    static void detach(VirtualMachine vm) {
        try {
            vm.detach();
        } catch (IOException ignored) {
            // the target went away; nothing to undo
        }
    }

    /** Only a pid the JDK lists as a JVM of this user: the attach handshake signals the target (SIGQUIT). */
    static boolean listed(String pid) {
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(pid)) {
                return true;
            }
        }
        return false;
    }

    private static File agentJarOrNull(PrintStream err) {
        try {
            return agentJar();
        } catch (URISyntaxException | IllegalStateException e) {
            err.println("lockwatch: cannot locate the agent jar: " + e.getMessage());
            return null;
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
