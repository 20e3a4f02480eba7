package dev.lockwatch.agent.instrument;

import dev.lockwatch.agent.sites.SiteTable;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Installs everything that changes code, in the order that keeps the JVM consistent (after OpenTelemetry's
 * {@code AgentInstaller}): the module edges the inlined code and the watchdog need, the JDK hooks (retransforming
 * the few hooked JDK classes that are loaded already), then the call-site rewriter for application classes (and,
 * after an attach, the application classes loaded before it; each of the two sets in one call, one safepoint, see
 * {@link BatchRetransform}). If anything fails, the transformers are removed again, so that "the application runs
 * on without Lockwatch" is true.
 */
public final class Installer {
    private Installer() {
    }

    /** What was installed, for the start-up line and the shutdown counts. */
    public record Installed(CallSiteRewriter rewriter, JdkTransformer jdk, int jdkClassesRetransformed, int applicationClassesRetransformed,
                            int applicationClassesLeftAlone) {
    }

    /**
     * @param boot the bootstrap loader's unnamed module, which holds {@code dev.lockwatch.bootstrap}
     * @param permits whether the Semaphore classes are hooked ({@code permits=on})
     */
    public static Installed install(Instrumentation inst, Module boot, boolean attached, boolean monitors, boolean permits,
                                    SiteTable sites, BiConsumer<String, Throwable> onError) throws Exception {
        Module agent = Installer.class.getModule();
        // The watchdog reads JDK internals (owners, read counts, stage fields, thread lists); never application code.
        inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                Map.of("java.util.concurrent.locks", Set.of(agent, boot), "java.util.concurrent", Set.of(agent),
                        "java.lang", Set.of(agent)),
                Set.of(), Map.of());

        BatchRetransform retransform = new BatchRetransform(inst, onError);
        JdkTransformer jdk = new JdkTransformer(retransform, permits);
        CallSiteRewriter rewriter = new CallSiteRewriter(sites, retransform, monitors);
        inst.addTransformer(jdk, true);
        try {
            int jdkClasses = retransform.retransform(loadedJdkClasses(inst, jdk));
            inst.addTransformer(rewriter, true);
            int[] app = attached ? retransformLoadedApplicationClasses(inst, retransform) : new int[2];
            return new Installed(rewriter, jdk, jdkClasses, app[0], app[1]);
        } catch (Throwable t) {
            inst.removeTransformer(rewriter);
            inst.removeTransformer(jdk);
            throw t;
        }
    }

    /** The hooked JDK classes loaded before the agent (on JDK 25, {@code AbstractQueuedSynchronizer}; after an attach, most). */
    private static List<Class<?>> loadedJdkClasses(Instrumentation inst, JdkTransformer jdk) {
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getClassLoader() == null && !c.isArray() && jdk.targets(c.getName().replace('.', '/'))) {
                loaded.add(c);
            }
        }
        return loaded;
    }

    /**
     * After an attach: rewrites the lock call sites of application classes loaded before it. A redefined class's
     * methods that are running at that moment keep running in their old version, for which HotSpot reports no file
     * or line; so classes on the stack of a thread that waits or is blocked right now (the threads of a deadlock
     * that formed before the attach) are left as they are, and their reports keep their lines. Returns the classes
     * retransformed and those left alone.
     */
    private static int[] retransformLoadedApplicationClasses(Instrumentation inst, BatchRetransform retransform) {
        Set<String> onWaitingStacks = new HashSet<>();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            Thread.State state = e.getKey().getState();
            if (state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
                for (StackTraceElement frame : e.getValue()) {
                    onWaitingStacks.add(frame.getClassName());
                }
            }
        }
        List<Class<?>> targets = new ArrayList<>();
        int skipped = 0;
        for (Class<?> c : inst.getAllLoadedClasses()) {
            String name = c.getName().replace('.', '/');
            // Only classes that call locks: a retransformed class loses its line numbers in stack traces
            // (HotSpot reconstitutes it without them), so nothing else is touched.
            if (inst.isModifiableClass(c) && !c.isArray() && CallSiteRewriter.isApplicationLoader(c.getClassLoader())
                    && !CallSiteRewriter.isAgentClass(name)
                    && CallSiteRewriter.mentionsLocks(CallSiteRewriter.originalClassFile(c.getClassLoader(), name))) {
                if (onWaitingStacks.contains(c.getName())) {
                    skipped++;
                } else {
                    targets.add(c);
                }
            }
        }
        return new int[] {retransform.retransform(targets), skipped};
    }
}
