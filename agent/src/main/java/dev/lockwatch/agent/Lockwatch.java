package dev.lockwatch.agent;

import dev.lockwatch.agent.detect.GraphSampler;
import dev.lockwatch.agent.detect.Handoffs;
import dev.lockwatch.agent.detect.JdkLocks;
import dev.lockwatch.agent.detect.ReportBuilder;
import dev.lockwatch.agent.detect.Watchdog;
import dev.lockwatch.agent.instrument.Installer;
import dev.lockwatch.agent.sites.SiteTable;
import dev.lockwatch.bootstrap.HeldWhileBlocking;
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

    static synchronized void start(String agentArgs, Instrumentation inst, Module boot, boolean attached) throws Exception {
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
        lw.install(inst, boot, options, attached);
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
            HeldWhileBlocking.enable(options.heldWhileBlocking());
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

    private void install(Instrumentation inst, Module boot, Options options, boolean attached) throws Exception {
        Registry.preload(); // loads everything the inlined code touches before any of it can run
        HeldWhileBlocking.enable(options.heldWhileBlocking());
        SiteTable sites = new SiteTable();
        Installer.Installed installed = Installer.install(inst, boot, attached, sites, this::transformError);
        JdkLocks locks = new JdkLocks();
        Handoffs handoffs = new Handoffs();
        if (installed.applicationClassesLeftAlone() > 0) {
            log.logger().info("{} loaded classes on the stacks of waiting threads were left unchanged (their lock "
                    + "call sites have no recorded site until the JVM restarts with -javaagent)", installed.applicationClassesLeftAlone());
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
        watchdog = new Watchdog(new GraphSampler(mx, locks, handoffs), new ReportBuilder(mx, locks, sites), alerting,
                options.interval(), hooks);
        watchdog.start();

        log.logger().info("Lockwatch {} started{}: {}; instrumented: lock call sites in application "
                        + "classes, contended java.util.concurrent acquires, executor hand-offs (futures, pools), monitors via the JVM",
                VERSION, attached ? " (attached)" : "", SafeText.plain(inForce));
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                log.logger().info("Lockwatch stopped: transformation errors={}, lock call sites rewritten={}, reports: {}",
                        transformErrors.get(), installed.rewriter().rewrittenSites(), stats.summary()), "lockwatch-shutdown"));
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

    private static String versionOf() {
        String v = Lockwatch.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
