package dev.lockwatch.agent;

import dev.lockwatch.agent.detect.GraphSampler;
import dev.lockwatch.agent.detect.Handoffs;
import dev.lockwatch.agent.detect.JdkLocks;
import dev.lockwatch.agent.detect.ReportBuilder;
import dev.lockwatch.agent.detect.Watchdog;
import dev.lockwatch.agent.instrument.CallSiteRewriter;
import dev.lockwatch.agent.instrument.LockInstrumentation;
import dev.lockwatch.bootstrap.Registry;

import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns the agent's lifecycle in one JVM: options, logging, instrumentation, watchdog. Started once; a second
 * start (another {@code -javaagent}, or an attach) says plainly that Lockwatch already runs.
 */
public final class Lockwatch {
    public static final String VERSION = versionOf();
    private static Lockwatch running;

    private final AgentLog log;
    private final AtomicInteger transformErrors = new AtomicInteger();

    private Lockwatch(AgentLog log) {
        this.log = log;
    }

    static synchronized void start(String agentArgs, Instrumentation inst, boolean attached) throws Exception {
        if (running != null) {
            System.err.println("lockwatch: already running in this JVM; options '" + agentArgs + "' not applied");
            return;
        }
        Map<String, String> props = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(Options.PREFIX)) {
                props.put(name, System.getProperty(name));
            }
        }
        Options.Parsed parsed = Options.parse(agentArgs, props);
        List<String> problems = new ArrayList<>(parsed.problems());
        Options options = parsed.options();
        AgentLog log = AgentLog.create(options.logConfig(), problems::add);
        for (String problem : problems) {
            System.err.println("lockwatch: " + problem);
        }
        Lockwatch lw = new Lockwatch(log);
        lw.install(inst, options, attached);
        running = lw;
    }

    private void install(Instrumentation inst, Options options, boolean attached) throws Exception {
        preload();
        Module agent = Lockwatch.class.getModule();
        inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                Map.of("java.util.concurrent.locks", Set.of(agent), "java.util.concurrent", Set.of(agent)),
                Set.of(), Map.of());
        JdkLocks locks = new JdkLocks();
        Handoffs handoffs = new Handoffs();
        Registry.checkHeldWhileBlocking = options.heldWhileBlocking();

        CallSiteRewriter rewriter = new CallSiteRewriter(this::transformError);
        inst.addTransformer(rewriter, true);
        if (attached) {
            retransformLoadedApplicationClasses(inst);
        }
        LockInstrumentation.install(inst, this::transformError);

        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Watchdog watchdog = new Watchdog(new GraphSampler(mx, locks, handoffs), new ReportBuilder(mx, locks), log, options.interval());
        watchdog.start();

        log.logger().info("Lockwatch {} started{}: interval={}, options={}; instrumented: lock call sites in application "
                        + "classes, contended java.util.concurrent acquires, executor hand-offs (futures, pools), monitors via the JVM",
                VERSION, attached ? " (attached)" : "", Options.format(options.interval()), options.given());
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                log.logger().info("Lockwatch stopped: transformation errors={}, lock call sites rewritten={}",
                        transformErrors.get(), rewriter.rewrittenSites()), "lockwatch-shutdown"));
    }

    private void transformError(String type, Throwable t) {
        transformErrors.incrementAndGet();
        log.logger().warn("transformation error in {}: {}", type, String.valueOf(t));
    }

    /** Loads (and initializes) everything the advice touches before any advice can run. */
    private static void preload() {
        Registry.waitBegin(new Object(), false, false);
        Registry.waitEnd();
        Registry.current();
        Registry.purge();
    }

    private void retransformLoadedApplicationClasses(Instrumentation inst) {
        List<Class<?>> targets = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (inst.isModifiableClass(c) && CallSiteRewriter.isApplicationLoader(c.getClassLoader())
                    && !CallSiteRewriter.isAgentClass(c.getName().replace('.', '/'))) {
                targets.add(c);
            }
        }
        for (Class<?> c : targets) {
            try {
                inst.retransformClasses(c);
            } catch (Throwable t) {
                transformError(c.getName(), t);
            }
        }
    }

    private static String versionOf() {
        String v = Lockwatch.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
