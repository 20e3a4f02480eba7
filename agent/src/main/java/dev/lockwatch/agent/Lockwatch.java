package dev.lockwatch.agent;

import dev.lockwatch.agent.alert.Event;
import dev.lockwatch.agent.alert.Output;
import dev.lockwatch.agent.alert.Pipeline;
import dev.lockwatch.agent.alert.Policy;
import dev.lockwatch.agent.alert.Stats;
import dev.lockwatch.agent.cli.Protocol;
import dev.lockwatch.agent.config.Options;
import dev.lockwatch.agent.detect.Detection;
import dev.lockwatch.agent.detect.LockOrderDetector;
import dev.lockwatch.agent.detect.LockOrderFile;
import dev.lockwatch.agent.detect.Sample;
import dev.lockwatch.agent.detect.SecurityDenial;
import dev.lockwatch.agent.detect.Watchdog;
import dev.lockwatch.agent.instrument.Installer;
import dev.lockwatch.agent.ops.CurrentWaits;
import dev.lockwatch.agent.ops.FlightOutput;
import dev.lockwatch.agent.ops.Host;
import dev.lockwatch.agent.ops.LockwatchBean;
import dev.lockwatch.agent.ops.LogOutput;
import dev.lockwatch.agent.ops.ThreadDump;
import dev.lockwatch.agent.report.SafeText;
import dev.lockwatch.agent.sites.MonitorSites;
import dev.lockwatch.agent.sites.SiteTable;
import dev.lockwatch.bootstrap.HeldWhileBlocking;
import dev.lockwatch.bootstrap.LockOrders;
import dev.lockwatch.bootstrap.Registry;

import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * Owns the agent's lifecycle in one JVM. Started once; a second start (another {@code -javaagent}, or an attach)
 * applies the options that can change at run time, or answers {@code status}.
 *
 * <p>Start-up is a budget (after JaCoCo's agent): before {@code main}, only what must happen before the first
 * application class loads: options (bad ones are one line on stderr at once), the bootstrap classes, the JDK hooks
 * and the call-site rewriter, and starting the agent's own thread. That thread writes the start-up line, and builds
 * the rest (the JVM's management beans, the detectors, the outputs; Logback only where the setup needs it) when the
 * first check is due, one interval later: a JVM that ends sooner never pays for it.
 */
public final class Lockwatch {
    public static final String VERSION = Protocol.version();
    /** With lock-order checking, how long the exit waits for the watchdog to be built. */
    private static final long BUILD_WAIT_MILLIS = 1_000;
    private static Lockwatch running;

    private final Instrumentation inst;
    private final boolean attached;
    private final List<String> problems;
    private final SiteTable sites;
    private final AtomicInteger transformErrors = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> errorLines = new ConcurrentLinkedQueue<>();
    private final Stats stats = new Stats();
    private final LogOutput log;
    private volatile Options options;
    private volatile Installer.Installed installed;
    private volatile Pipeline pipeline;
    private volatile CurrentWaits waits;
    private volatile Detection detection;
    /** The line about the lock-order file at exit, or null. */
    private volatile String savedOrders;
    private volatile Watchdog watchdog;
    private volatile Thread agentThread;
    /** Taken by {@link #threadBean()}, first from {@link #warmPlatformParts()} at start; null until then or if that failed. */
    private volatile ThreadMXBean threadBean;
    /** The JVM's start, in epoch milliseconds, taken with {@link #threadBean}; 0 until then. */
    private volatile long jvmStart;
    private volatile boolean stopping;
    /** Set at exit when the watchdog's check under way did not end in time. */
    private volatile boolean checkCutOff;
    /** Counted down once the start-up line is written: the last line never comes before it. */
    private final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);

    private Lockwatch(Instrumentation inst, boolean attached, Options options, List<String> problems) {
        this.inst = inst;
        this.attached = attached;
        this.options = options;
        this.problems = problems;
        this.sites = new SiteTable();
        this.log = new LogOutput(options, problems, LogOutput.problemsOnStderr(options));
    }

    static synchronized void start(String agentArgs, Instrumentation inst, Module boot, boolean attached) throws Exception {
        if (running != null) {
            running.again(agentArgs);
            return;
        }
        Options.Parsed parsed = Options.parse(Protocol.withoutReply(agentArgs), optionProperties());
        Options options = parsed.options();
        if (LogOutput.problemsOnStderr(options)) {
            for (String problem : parsed.problems()) {
                System.err.println("lockwatch: " + problem);
            }
        }
        LockOrders.enable(options.lockOrder()); // before anything is rewritten: it cannot change later
        Registry.preload(options.permits()); // loads everything the inlined code touches before any of it can run
        HeldWhileBlocking.enable(options.heldWhileBlocking());
        Lockwatch lw = new Lockwatch(inst, attached, options, parsed.problems());
        lw.installed = Installer.install(inst, boot, attached, options.lockOrder(), options.permits(), lw.sites,
                lw.new TransformErrors());
        running = lw;
        Thread agent = new Thread(lw.new AgentThread(), Watchdog.THREAD_NAME);
        agent.setDaemon(true);
        lw.agentThread = agent;
        agent.start();
        Runtime.getRuntime().addShutdownHook(new Thread(lw.new Shutdown(), "lockwatch-shutdown"));
        System.setProperty(Protocol.RUNNING_PROPERTY, VERSION);
        // The pid is read here, at start, on purpose: ProcessHandle's class initializer (a reaper pool, lambdas)
        // would otherwise run first in the watchdog's set-up, which may be while the application has exhausted the
        // heap; a class whose initializer failed can never be used again in that JVM, and no check could ever start
        // (TrustRegressionIT.deadlockAfterOutOfMemoryChurnIsStillReported, on JDK 25).
        long pid = ProcessHandle.current().pid();
        Protocol.reply(agentArgs, "attached to " + pid + "; reports go to that JVM's stderr or its configured log");
    }

    private static Map<String, String> optionProperties() {
        Map<String, String> props = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(Options.PREFIX)) {
                props.put(name, System.getProperty(name));
            }
        }
        return props;
    }

    /** Counts the transformation errors of any thread; the agent's thread logs them (application threads never log). */
    private final class TransformErrors implements BiConsumer<String, Throwable> {
        @Override
        public void accept(String type, Throwable t) {
            transformErrors.incrementAndGet();
            if (errorLines.size() < 100) {
                errorLines.add("transformation error in " + SafeText.plain(type) + ": " + SafeText.plain(String.valueOf(t)));
            }
            Watchdog w = watchdog;
            if (w != null) {
                w.wake();
            }
        }
    }

    /**
     * The agent's thread: the start-up line, then, one interval later, the detection machinery and the checks.
     *
     * <p>An application that fills its heap from its first moment (TrustRegressionIT's churn) can make any step here
     * throw OutOfMemoryError, even the call of a method not called before (resolving it allocates), and once that
     * ended this thread before any check. So the steps are phases of one loop: a phase that runs out of memory is
     * tried again 20 ms later; the start line and the notices that follow it are left out after 100 such tries (2 s)
     * or at any other failure; the checks themselves are never given up on memory, and any other failure there
     * (none is known) ends the thread with one line on stderr.
     */
    private final class AgentThread implements Runnable {
        @Override
        public void run() {
            int phase = SUPPRESS;
            int tries = 0;
            long start = System.nanoTime();
            Watchdog w = null;
            while (true) {
                try {
                    switch (phase) {
                        case SUPPRESS:
                            Registry.suppressCurrentThread();
                            phase = START_LINE;
                            tries = 0;
                            // fall through
                        case START_LINE:
                            startLine();
                            phase = START_NOTICES;
                            tries = 0;
                            // fall through
                        case START_NOTICES:
                            started.countDown(); // also when the start line was left out: the last line never waits
                            warmPlatformParts();
                            startNotices();
                            phase = FIRST_INTERVAL;
                            tries = 0;
                            // fall through
                        case FIRST_INTERVAL:
                            // Detection is built one interval after start, so a short JVM never pays for it; with
                            // lock-order checking on, at once: orders taken from the first moment must reach the graph.
                            long firstCheck = start + (options.lockOrder() ? 0 : options.interval().toNanos());
                            while (!stopping && System.nanoTime() - firstCheck < 0) {
                                LockSupport.parkNanos(this, firstCheck - System.nanoTime());
                            }
                            if (stopping && !options.lockOrder()) {
                                return; // with lock-order checking, the orders already taken are still checked (and kept)
                            }
                            phase = BUILD;
                            // fall through
                        case BUILD:
                            w = buildOrRetry();
                            if (w == null) {
                                return;
                            }
                            watchdog = w;
                            phase = CHECKS;
                            // fall through
                        default:
                            // The interval before the first check has passed already, unless lock-order checking
                            // skipped it.
                            w.run(options.lockOrder() ? System.nanoTime() + options.interval().toNanos() : System.nanoTime());
                            return;
                    }
                } catch (Throwable t) {
                    boolean memory = t instanceof VirtualMachineError;
                    if (phase < FIRST_INTERVAL && (!memory || ++tries >= 100)) {
                        phase++; // the start line or its notices, left out
                        tries = 0;
                        continue;
                    }
                    if (!memory) {
                        try {
                            System.err.println("lockwatch: the agent's thread stopped (" + SafeText.plain(String.valueOf(t))
                                    + "); the application runs on without Lockwatch's checks");
                        } catch (Throwable ignored) {
                            // nothing left to say it with
                        }
                        return;
                    }
                    if (stopping && phase < BUILD) {
                        return;
                    }
                }
                LockSupport.parkNanos(this, 20_000_000L);
            }
        }
    }

    /** The phases of {@link AgentThread} (ints rather than an enum, which would be two more classes at every start). */
    private static final int SUPPRESS = 0;
    private static final int START_LINE = 1;
    private static final int START_NOTICES = 2;
    private static final int FIRST_INTERVAL = 3;
    private static final int BUILD = 4;
    private static final int CHECKS = 5;

    private void startLine() {
        String denied = SecurityDenial.now();
        log.start("Lockwatch " + VERSION + " started" + (attached ? " (attached)" : "") + ": "
                + SafeText.plain(options.describe(log.destination())) + "; instrumented: lock call sites in "
                + "application classes, contended java.util.concurrent acquires, executor hand-offs (futures, "
                + "pools), " + (options.permits() ? "Semaphore permit takes and releases, " : "")
                + (options.lockOrder() ? "synchronized blocks and methods in application classes (lock order)"
                : "monitors via the JVM") + (denied == null ? "" : "; " + SafeText.plain(denied)));
    }

    private void startNotices() {
        tellHooksNotApplied();
        if (installed.applicationClassesLeftAlone() > 0) {
            log.notice(installed.applicationClassesLeftAlone() + " loaded classes on the stacks of waiting threads"
                    + " were left unchanged (their lock call sites have no recorded site until the JVM restarts"
                    + " with -javaagent)", false);
        }
    }

    /**
     * {@link #build()}, tried again every interval while it fails (out of memory, a SecurityManager that denies what it
     * needs): the agent's thread never ends on it. Each distinct failure is said once. Null once stopping.
     */
    private Watchdog buildOrRetry() {
        String said = null;
        while (!stopping) {
            try {
                return build();
            } catch (Throwable t) {
                try {
                    String denied = SecurityDenial.of(t);
                    String line = SafeText.plain(denied != null ? denied
                            : "could not start the checks, trying again every interval: " + t);
                    if (!line.equals(said)) {
                        said = line;
                        log.notice(line, true); // falls back to stderr when the log itself is what is denied
                    }
                } catch (Throwable ignored) {
                    // out of memory even for that line: the next try says it
                }
            }
            LockSupport.parkNanos(this, options.interval().toNanos());
        }
        return null;
    }

    /**
     * The JDK parts the checks need whose first use runs a class initializer that allocates a lot: ManagementFactory's
     * finder of platform beans (a ServiceLoader over the platform's modules, maps; 15 to 18 ms and about 100 classes
     * here). Taken on the agent's thread right after the start line, so not on the JVM's start-up path, and before
     * the application has had time to fill its heap: left to the first check, an application that ran out of memory
     * at that moment made the initializer fail, and a class whose initializer failed never works again in that JVM,
     * so no check could ever start (CI caught it: TrustRegressionIT.deadlockAfterOutOfMemoryChurnIsStillReported;
     * deadlockAfterTheApplicationPoisonedManagementIsStillReported now shows it every run).
     */
    private void warmPlatformParts() {
        try {
            threadBean();
        } catch (Throwable t) {
            // build() asks again at the first check and says why if it still fails
        }
    }

    /** The ThreadMXBean, taken (with {@link #jvmStart}) at its first call. */
    private ThreadMXBean threadBean() {
        ThreadMXBean mx = threadBean;
        if (mx == null) {
            mx = ManagementFactory.getThreadMXBean();
            jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
            threadBean = mx;
        }
        return mx;
    }

    /** Everything the checks need, built on the agent's thread when the first check is due. */
    private Watchdog build() throws ReflectiveOperationException {
        ThreadMXBean mx = threadBean();
        long pid = ProcessHandle.current().pid();
        String host = Host.name();
        Detection detection = new Detection(mx, sites, new MonitorSites(inst), attached, options.lockOrder(),
                options.lockOrderFile() == null ? null : new LockOrderFile(options.lockOrderFile()),
                "pid " + pid + " on " + host + ", started " + java.time.Instant.ofEpochMilli(
                        jvmStart).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                options.permits())
                .withHangs(options.hangAfter());
        this.detection = detection;
        CurrentWaits waits = new CurrentWaits();
        this.waits = waits;
        List<Output> outputs = new ArrayList<>();
        outputs.add(log);
        outputs.add(new FlightOutput(log));
        outputs.add(waits);
        outputs.add(new HousekeepingOutput());
        if (options.jmx()) {
            try {
                outputs.add(new LockwatchBean(stats, waits, VERSION, this::describeOptions, this::recordedOrders,
                        this::ordersInGraph, log));
            } catch (LinkageError e) {
                // Its class (or javax.management's) failed to initialize, out of memory at that moment, and never
                // will now: the checks go on without the MBean rather than never starting. Out of memory now (not
                // a LinkageError) fails the build, which is tried again.
                log.notice("MBean " + LockwatchBean.OBJECT_NAME + " not registered (" + SafeText.plain(String.valueOf(e))
                        + "); the checks run on without it", true);
            }
        }
        Options o = options;
        pipeline = new Pipeline(outputs, new ThreadDump(mx, waits, VERSION, pid, host, log), stats, pid, host, policyOf(o));
        return new Watchdog(detection.sampler, detection.detectors(), pipeline, o.interval());
    }

    /** The lock-order detector, or null before the first check or with {@code lockOrder=off}. */
    private LockOrderDetector lockOrders() {
        Detection d = detection;
        return d == null ? null : d.lockOrders;
    }

    private long recordedOrders() {
        LockOrderDetector o = lockOrders();
        return o == null ? 0 : o.orders();
    }

    private long ordersInGraph() {
        LockOrderDetector o = lockOrders();
        return o == null ? 0 : o.ordersNow();
    }

    private String describeOptions() {
        return options.describe(log.destination());
    }

    private static Policy policyOf(Options o) {
        return new Policy(o.remind(), o.suppress(), o.onDeadlock(), o.onHang(), o.onLockOrder(), o.dumpDir());
    }

    /** After each check: transformation errors logged, the site table pruned of unloaded classes. */
    private final class HousekeepingOutput implements Output {
        @Override
        public void event(Event event) {
        }

        @Override
        public void checked(Sample sample, long check) {
            for (String line; (line = errorLines.poll()) != null; ) {
                log.notice(line, true);
            }
            tellHooksNotApplied();
            sites.purge();
            Protocol.clearReplies();
        }
    }

    /**
     * Issue 12: a JDK method that another agent's transformation renamed or removed silently hid its waits. Each
     * hook found missing is one WARN, at start for the classes loaded by then and after a check for later ones.
     */
    private void tellHooksNotApplied() {
        List<String> missing = installed.jdk().takeNotApplied();
        if (!missing.isEmpty()) {
            log.notice("hooks not applied: " + SafeText.plain(String.join(", ", missing)) + " (no such method when the"
                    + " class was loaded, changed by another agent's transformation or this JDK); waits and hand-offs"
                    + " that go through them are not seen, and reports that need them will be missing", true);
        }
    }

    /**
     * A second start in the same JVM (attach after {@code -javaagent}, or attach twice): nothing is instrumented
     * again and no second watchdog starts; the options that can change at run time are applied, and the attaching
     * command is told what happened (or given the status it asked for).
     */
    private void again(String agentArgs) {
        if (Protocol.isStatus(agentArgs)) {
            Protocol.reply(agentArgs, status());
            return;
        }
        Options.Parsed parsed = Options.parse(Protocol.withoutReply(agentArgs), Map.of());
        List<String> applied = new ArrayList<>();
        List<String> notApplied = new ArrayList<>();
        for (String key : parsed.options().given().keySet()) {
            (Options.CHANGEABLE.contains(key) ? applied : notApplied).add(key + "=" + parsed.options().given().get(key));
        }
        Options now = options.with(parsed.options());
        options = now;
        HeldWhileBlocking.enable(now.heldWhileBlocking());
        Pipeline p = pipeline;
        if (p != null) {
            p.policy(policyOf(now));
        }
        Watchdog w = watchdog;
        if (w != null && parsed.options().given().containsKey("interval")) {
            w.interval(now.interval());
        }
        StringBuilder reply = new StringBuilder("Lockwatch " + VERSION + " is already running in "
                + ProcessHandle.current().pid() + "; nothing was instrumented twice");
        reply.append(applied.isEmpty() ? "" : "; applied: " + String.join(", ", applied));
        if (!notApplied.isEmpty()) {
            reply.append("; not applied (they need a restart): ").append(String.join(", ", notApplied));
        }
        for (String problem : parsed.problems()) {
            reply.append("; ").append(problem);
        }
        log.notice(SafeText.plain(reply.toString()), !notApplied.isEmpty() || !parsed.problems().isEmpty());
        Protocol.reply(agentArgs, reply.toString());
    }

    /** What {@code status} prints: counts, options in force, and the wait-for graph of the last check. */
    private String status() {
        StringBuilder sb = new StringBuilder();
        sb.append("Lockwatch ").append(VERSION).append(" in JVM ").append(ProcessHandle.current().pid()).append(": ")
                .append(stats.checks()).append(" checks; reports: ").append(stats.counts())
                .append("; suppressed ").append(stats.suppressed()).append(", reminders ").append(stats.reminders())
                .append('\n');
        sb.append("options: ").append(describeOptions()).append('\n');
        if (options.lockOrder()) {
            sb.append("lock orders recorded: ").append(recordedOrders())
                    .append(" (").append(ordersInGraph()).append(" in the graph now)\n");
        }
        CurrentWaits w = waits;
        sb.append(w == null ? "wait-for graph: no check has run yet\n" : w.render());
        return sb.toString();
    }

    /**
     * The last line, from a thread of its own: if the log cannot be written (a supervisor that does not read
     * stderr, a pipe that is full), the JVM's exit does not wait for it more than a second.
     */
    private final class Shutdown implements Runnable {
        @Override
        public void run() {
            stopping = true;
            Thread agent = agentThread;
            if (agent != null) {
                LockSupport.unpark(agent);
            }
            Watchdog w = watchdog;
            if (options.lockOrder()) {
                // a JVM that ends before the agent's thread has built its checks (a short test JVM on a busy
                // machine) still has its orders checked: wait for the watchdog, within the same bound
                long deadline = System.nanoTime() + BUILD_WAIT_MILLIS * 1_000_000L;
                while (w == null && agent != null && agent.isAlive() && System.nanoTime() - deadline < 0) {
                    LockSupport.parkNanos(10_000_000L);
                    w = watchdog;
                }
            }
            if (w != null) {
                try {
                    // A check under way ends first: a finding already counted is also written (issue 12: under
                    // load, with OpenTelemetry's start-up, the first report's log was still being built at exit,
                    // and the report was lost while the last line counted it). Lock orders taken just before the
                    // exit are still checked and reported. Without a check under way this returns at once; a check
                    // that takes longer (a log that cannot be written) is cut off, and the last line says so.
                    boolean finished = w.finish(3000);
                    checkCutOff = !finished;
                    if (options.lockOrder()) {
                        // this run's orders are kept for later runs: those the watchdog has read, even if late
                        LockOrderDetector o = lockOrders();
                        String saved = o == null ? null : o.saveOrders();
                        if (!finished && saved != null) {
                            saved += " (the watchdog was still busy at exit: orders taken last may be missing)";
                        }
                        savedOrders = saved;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Thread last = new Thread(new LastLine(), "lockwatch-last-line");
            last.setDaemon(true);
            last.start();
            try {
                last.join(TimeUnit.SECONDS.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class LastLine implements Runnable {
        @Override
        public void run() {
            Registry.suppressCurrentThread();
            try {
                started.await(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String saved = savedOrders;
            if (saved != null) {
                log.notice(SafeText.plain(saved), saved.contains(" not merged") || saved.contains("could not"));
            }
            Installer.Installed i = installed;
            try {
                log.stop("Lockwatch stopped: transformation errors=" + transformErrors.get() + ", lock call sites rewritten="
                        + (i == null ? 0 : i.rewriter().rewrittenSites())
                        + (options.lockOrder() ? ", lock orders recorded=" + recordedOrders() : "")
                        + ", reports: " + stats.summary()
                        + (checkCutOff ? "; the check under way at exit did not end within 3 s, its reports may be missing" : ""));
            } catch (Throwable t) {
                // the log cannot be written (a SecurityManager that denies it, no memory): the JVM exits all the same
            }
        }
    }
}
