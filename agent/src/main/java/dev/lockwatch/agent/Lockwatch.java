package dev.lockwatch.agent;

import dev.lockwatch.agent.detect.GraphSampler;
import dev.lockwatch.agent.detect.Handoffs;
import dev.lockwatch.agent.detect.JdkLocks;
import dev.lockwatch.agent.detect.ReportBuilder;
import dev.lockwatch.agent.detect.Watchdog;
import dev.lockwatch.agent.instrument.CallSiteRewriter;
import dev.lockwatch.agent.instrument.LockInstrumentation;
import dev.lockwatch.agent.ops.Alerting;
import dev.lockwatch.agent.ops.CheckHooks;
import dev.lockwatch.agent.ops.CurrentWaits;
import dev.lockwatch.agent.ops.FlightEvents;
import dev.lockwatch.agent.ops.LockwatchBean;
import dev.lockwatch.agent.ops.SafeText;
import dev.lockwatch.agent.ops.Stats;
import dev.lockwatch.agent.ops.ThreadDump;
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
 * Owns the agent's lifecycle in one JVM: options, logging, instrumentation, watchdog, and the operations side
 * (alerting, MBean, JFR). Started once; a second start (another {@code -javaagent}, or an attach) says plainly
 * that Lockwatch already runs and applies the options that can change at run time.
 */
public final class Lockwatch {
    public static final String VERSION = versionOf();
    private static Lockwatch running;

    /** Set in the host JVM once Lockwatch runs there, so that {@code attach} can say so before it loads. */
    public static final String RUNNING_PROPERTY = "dev.lockwatch.running";

    private final AgentLog log;
    private final AtomicInteger transformErrors = new AtomicInteger();
    private final Stats stats = new Stats();
    private Watchdog watchdog;
    private Alerting alerting;

    private Lockwatch(AgentLog log) {
        this.log = log;
    }

    static synchronized void start(String agentArgs, Instrumentation inst, boolean attached) throws Exception {
        if (running != null) {
            running.reapply(agentArgs);
            return;
        }
        Options.Parsed parsed = parse(agentArgs);
        List<String> problems = new ArrayList<>(parsed.problems());
        Options options = parsed.options();
        AgentLog log = AgentLog.create(options, problems::add);
        log.reportProblems(problems);
        Lockwatch lw = new Lockwatch(log);
        lw.install(inst, options, attached);
        running = lw;
        System.setProperty(RUNNING_PROPERTY, VERSION);
    }

    /**
     * A second start in the same JVM (attach after {@code -javaagent}, or attach twice): nothing is instrumented
     * again and no second watchdog starts; the options that can change at run time are applied.
     */
    private void reapply(String agentArgs) {
        Options.Parsed parsed = Options.parse(agentArgs, Map.of());
        for (String problem : parsed.problems()) {
            System.err.println("lockwatch: " + problem);
        }
        Options options = parsed.options();
        if (options.given().containsKey("interval")) {
            watchdog.interval(options.interval());
        }
        if (options.given().containsKey("heldWhileBlocking")) {
            Registry.checkHeldWhileBlocking = options.heldWhileBlocking();
        }
        Alerting.Policy p = alerting.policy();
        alerting.policy(new Alerting.Policy(
                options.given().containsKey("remind") ? options.remind() : p.remind(),
                options.given().containsKey("suppress") ? options.suppress() : p.suppress(),
                options.given().containsKey("onDeadlock") ? options.onDeadlock() : p.onDeadlock(),
                options.given().containsKey("dumpDir") ? options.dumpDir() : p.dumpDir()));
        for (String fixed : new String[] {"logConfig", "log", "format", "jmx"}) {
            if (options.given().containsKey(fixed)) {
                log.logger().warn("option {} cannot change while Lockwatch runs; restart the JVM to use {}={}", fixed, fixed,
                        SafeText.plain(options.given().get(fixed)));
            }
        }
        log.logger().info("Lockwatch {} already running; nothing instrumented twice; options applied: {}", VERSION,
                options.given());
    }

    private static Options.Parsed parse(String agentArgs) {
        Map<String, String> props = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(Options.PREFIX)) {
                props.put(name, System.getProperty(name));
            }
        }
        return Options.parse(agentArgs, props);
    }

    private void install(Instrumentation inst, Options options, boolean attached) throws Exception {
        Registry.preload(); // loads everything the advice touches before any advice can run
        Module agent = Lockwatch.class.getModule();
        inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                Map.of("java.util.concurrent.locks", Set.of(agent), "java.util.concurrent", Set.of(agent)),
                Set.of(), Map.of());
        JdkLocks locks = new JdkLocks();
        Handoffs handoffs = new Handoffs();
        Registry.checkHeldWhileBlocking = options.heldWhileBlocking();

        CallSiteRewriter rewriter = new CallSiteRewriter(this::transformError);
        inst.addTransformer(rewriter, true);
        try {
            if (attached) {
                retransformLoadedApplicationClasses(inst);
            }
            LockInstrumentation.install(inst, this::transformError);
        } catch (Throwable t) {
            // "the application runs on without Lockwatch" must be true: no half-installed rewriter stays behind
            inst.removeTransformer(rewriter);
            throw t;
        }

        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long pid = ProcessHandle.current().pid();
        CurrentWaits waits = new CurrentWaits();
        alerting = new Alerting(log, stats, new FlightEvents(log), new ThreadDump(mx, waits, VERSION, pid), Lockwatch::halt,
                pid, new Alerting.Policy(options.remind(), options.suppress(), options.onDeadlock(), options.dumpDir()));
        String inForce = options.describe();
        LockwatchBean bean = options.jmx() ? new LockwatchBean(stats, waits, VERSION, inForce) : null;
        CheckHooks hooks = new CheckHooks(alerting, stats, waits, () -> {
            if (bean != null) {
                bean.register(log);
            }
        });
        watchdog = new Watchdog(new GraphSampler(mx, locks, handoffs), new ReportBuilder(mx, locks), alerting,
                options.interval(), hooks);
        watchdog.start();

        log.logger().info("Lockwatch {} started{}: {}; instrumented: lock call sites in application "
                        + "classes, contended java.util.concurrent acquires, executor hand-offs (futures, pools), monitors via the JVM",
                VERSION, attached ? " (attached)" : "", SafeText.plain(inForce));
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                log.logger().info("Lockwatch stopped: transformation errors={}, lock call sites rewritten={}, reports: {}",
                        transformErrors.get(), rewriter.rewrittenSites(), stats.summary()), "lockwatch-shutdown"));
    }

    private void transformError(String type, Throwable t) {
        transformErrors.incrementAndGet();
        // Runs on the application thread that loads the class: the agent's own logging must not be recorded.
        Registry.enterAgentCode();
        try {
            log.logger().warn("transformation error in {}: {}", SafeText.plain(type), SafeText.plain(String.valueOf(t)));
        } finally {
            Registry.exitAgentCode();
        }
    }

    /** {@code onDeadlock=exit=<code>}: see {@code Alerting}. */
    private static void halt(int code) {
        Runtime.getRuntime().halt(code);
    }

    /**
     * After an attach: rewrites the lock call sites of classes loaded before it. A redefined class's methods
     * that are running at that moment keep running in their old version, for which HotSpot reports no file or
     * line; so classes on the stack of a thread that waits or is blocked right now (the threads of a deadlock
     * that formed before the attach) are left as they are, and their reports keep their lines.
     */
    private void retransformLoadedApplicationClasses(Instrumentation inst) {
        Set<String> onWaitingStacks = new java.util.HashSet<>();
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
        for (Class<?> c : targets) {
            try {
                inst.retransformClasses(c);
            } catch (Throwable t) {
                transformError(c.getName(), t);
            }
        }
        if (skipped > 0) {
            log.logger().info("{} loaded classes on the stacks of waiting threads were left unchanged (their lock "
                    + "call sites have no recorded site until the JVM restarts with -javaagent)", skipped);
        }
    }

    private static String versionOf() {
        String v = Lockwatch.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
