package dev.lockwatch.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points. Rules (after OpenTelemetry's {@code OpenTelemetryAgent}): tiny, safe to run twice,
 * catches every {@code Throwable}, no static state, no logging before logging exists. The bootstrap classes
 * are put on the bootstrap class path first, before any code that refers to them runs, so that the JDK code
 * instrumented later and the agent see one and the same copy of them.
 */
public final class AgentMain {
    private AgentMain() {
    }

    /** {@code -javaagent:lockwatch-agent.jar[=options]}. */
    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    /** Attached to a running JVM. */
    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    /** {@code java -jar lockwatch-agent.jar ...}: the command line. */
    public static void main(String[] args) {
        System.exit(dev.lockwatch.agent.cli.Cli.run(args, System.out, System.err));
    }

    private static void start(String args, Instrumentation inst, boolean attached) {
        try {
            Module boot = BootstrapInjector.inject(inst);
            Lockwatch.start(args, inst, boot, attached);
        } catch (Throwable t) {
            String denied = dev.lockwatch.agent.detect.SecurityDenial.of(t); // a SecurityManager from the start
            System.err.println("lockwatch: could not start" + (denied != null ? "; " + denied : " (" + t + ")")
                    + "; the application runs on without Lockwatch");
        }
    }
}
