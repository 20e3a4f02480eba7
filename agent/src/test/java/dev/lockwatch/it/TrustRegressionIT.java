package dev.lockwatch.it;

import dev.lockwatch.it.apps.DrainingQueueApp;
import dev.lockwatch.it.apps.EqualLoadersApp;
import dev.lockwatch.it.apps.ExitWhileReportBlockedApp;
import dev.lockwatch.it.apps.GrowablePoolApp;
import dev.lockwatch.it.apps.NullNameClassApp;
import dev.lockwatch.it.apps.OomChurnApp;
import dev.lockwatch.it.apps.ParallelStreamMonitorApp;
import dev.lockwatch.it.apps.PoisonedManagementApp;
import dev.lockwatch.it.apps.SecurityManagerApp;
import dev.lockwatch.it.apps.TimedBackoffApp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trust (issue 10): no false alarm on healthy code, no harm to the host under faults and load, nothing missed that
 * once was. Each test is named after what it catches; healthy programs must finish with no event and zero
 * transformation errors.
 */
class TrustRegressionIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final List<String> KINDS = List.of("DEADLOCK", "STARVATION", "HANG", "LOCK_ORDER", "HELD_WHILE_BLOCKING");

    @TempDir
    Path temp;

    private Path apps(Class<?> main) throws Exception {
        Path classes = temp.resolve("classes");
        return Files.isDirectory(classes) ? classes : ChildClasspath.copyApps(Files.createDirectories(classes), main);
    }

    private ChildJvm start(Class<?> main, String options, List<String> jvmArgs, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), ChildJvm.agentArg(options)));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", apps(main).toString(), main.getName()));
        cmd.addAll(List.of(args));
        return ChildJvm.start(cmd);
    }

    /** Runs a program that finishes; asserts exit 0, no event of any kind and no transformation error. */
    private String healthy(Class<?> main, String options, String... args) throws Exception {
        try (ChildJvm child = start(main, options, List.of(), args)) {
            assertEquals(0, child.awaitExit(BOUND), child.output());
            String out = child.output();
            for (String kind : KINDS) {
                assertFalse(out.contains(kind), "no " + kind + " in a program that finishes:\n" + out);
            }
            assertTrue(out.contains("transformation errors=0,"), out);
            return out;
        }
    }

    // ---- 1: timed back-off -------------------------------------------------------------------------------------

    @Test
    void timedBackOffCyclesOneCheckApartAreNotADeadlock() throws Exception {
        // exit=3 would halt the healthy program at the first false DEADLOCK
        String out = healthy(TimedBackoffApp.class, "interval=50ms,onDeadlock=exit=3", "3000");
        assertTrue(out.contains("timed-backoff: all done"), out);
    }

    @Test
    void timedCycleThatLastsIsStillReportedAtAShortInterval() throws Exception {
        try (ChildJvm child = ChildJvm.demo("timed-cycle", "interval=50ms", List.of(), 20)) {
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            assertTrue(report.text().contains("a wait in the cycle has a timeout"), report.text());
        }
    }

    // ---- a queue that drains after hangAfter ----------------------------------------------------------------------

    /**
     * 400 threads queued on one lock for longer than hangAfter, then let go one after another, each slow to be
     * scheduled after the one before: at some checks the lock is between two of them, with no owner. Before the
     * rule that a lock whose waiters leave is moving, every such check reported HANGs for the queue's rest.
     */
    @Test
    void aLockQueueThatDrainsAfterHangAfterIsNotAHang() throws Exception {
        String out = healthy(DrainingQueueApp.class, "interval=100ms,hangAfter=1s", "400", "2500", "1000");
        assertTrue(out.contains("draining-queue: all done"), out);
    }

    // ---- 2: a pool that can still grow -------------------------------------------------------------------------

    @ParameterizedTest(name = "rejection policy {0}")
    @ValueSource(strings = {"abort", "callerRuns"})
    void poolBelowItsMaximumSizeIsNotStarved(String policy) throws Exception {
        String out = healthy(GrowablePoolApp.class, "interval=100ms", policy);
        assertTrue(out.contains("growable-pool: all done, a+b c"), out);
    }

    // ---- 5: the watchdog and OutOfMemoryError ------------------------------------------------------------------

    @Test
    void deadlockAfterOutOfMemoryChurnIsStillReported() throws Exception {
        try (ChildJvm child = start(OomChurnApp.class, "interval=100ms", List.of("-Xmx32m"), "3000")) {
            child.awaitLine(l -> l.startsWith("oom-churn: heap recovered"), 0, BOUND, "saying the heap recovered");
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            assertTrue(report.text().contains("\"oom-A-then-B\""), report.text());
            List<String> failed = child.output().lines().filter(l -> l.contains("check failed"))
                    .collect(Collectors.toList());
            assertEquals(failed.size(), failed.stream().distinct().count(), "each failure said once:\n" + child.output());
        }
    }

    /**
     * The first check used to be the first use of ManagementFactory: an application out of memory at that moment
     * made its initializer fail, and no check could ever start (caught once by the test above in CI, 1 run in many).
     * This one poisons {@code java.lang.management} on purpose, every run; without the agent it stays poisoned.
     */
    @Test
    void deadlockAfterTheApplicationPoisonedManagementIsStillReported() throws Exception {
        List<String> jvm = List.of("-Xmx32m", "-XX:+UseSerialGC");
        List<String> plain = new ArrayList<>(List.of(ChildJvm.java()));
        plain.addAll(jvm);
        plain.addAll(List.of("-cp", apps(PoisonedManagementApp.class).toString(), PoisonedManagementApp.class.getName()));
        try (ChildJvm child = ChildJvm.start(plain)) {
            child.awaitLine(l -> l.startsWith("poisoned-management: heap recovered"), 0, BOUND, "saying the heap recovered");
            assertTrue(child.output().contains("the ThreadMXBean now: java.lang.NoClassDefFoundError: Could not initialize"),
                    "without the agent, the application's OutOfMemoryError leaves java.lang.management unusable:\n"
                            + child.output());
        }
        try (ChildJvm child = start(PoisonedManagementApp.class, "interval=1s", jvm)) {
            child.awaitLine(l -> l.startsWith("poisoned-management: heap recovered"), 0, BOUND, "saying the heap recovered");
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            assertTrue(report.text().contains("\"poisoned-A-then-B\""), report.text());
            assertFalse(child.output().contains("could not start the checks"), child.output());
        }
    }

    // ---- 7: System.exit with a stderr nobody reads -------------------------------------------------------------

    @Test
    void exitDoesNotWaitForAReportBlockedOnAFullStderr() throws Exception {
        List<String> cmd = List.of(ChildJvm.java(), ChildJvm.agentArg("interval=100ms"), "-cp",
                apps(ExitWhileReportBlockedApp.class).toString(), ExitWhileReportBlockedApp.class.getName());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start(); // stderr never read
        try {
            List<String> stdout = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = in.readLine()) != null; ) {
                        stdout.add(l);
                    }
                } catch (java.io.IOException ignored) {
                    // gone
                }
            });
            reader.setDaemon(true);
            reader.start();
            assertTrue(p.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS), "the JVM did not exit; stdout: " + stdout);
            reader.join(5000);
            assertTrue(stdout.contains("exit-blocked: exiting"), "stdout: " + stdout);
            assertEquals(0, p.exitValue(), "stdout: " + stdout);
            // the exit itself took at most a few seconds, bounded by the shutdown hook's own bound
            assertTrue(p.getErrorStream().available() > 0, "the agent wrote a report to stderr");
        } finally {
            p.destroyForcibly();
        }
    }

    // ---- 8: class loaders with value equality ------------------------------------------------------------------

    @Test
    void loadersThatCompareEqualAreToldApartByIdentity() throws Exception {
        String out = healthy(EqualLoadersApp.class, "interval=100ms");
        assertTrue(out.contains("equal-loaders: task ran in Delegating"), out);
        assertTrue(out.contains("equal-loaders: task ran in Isolating"), out);
    }

    // ---- 10: an application SecurityManager --------------------------------------------------------------------

    /**
     * {@link SecurityManagerApp} under {@code manager} ({@code allow}: the application installs it; empty: from the
     * start) with a policy that grants the application what it needs and, unless null, the agent jar {@code agent}.
     */
    private ChildJvm secured(String manager, String agent) throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() < 24,
                "JDK " + Runtime.version().feature() + " has no SecurityManager to install (JEP 486); JDK 17 to 23 only");
        Path classes = apps(SecurityManagerApp.class);
        String policy = "grant codeBase \"" + classes.toUri() + "-\" {\n"
                + "  permission java.lang.RuntimePermission \"createSecurityManager\";\n"
                + "  permission java.lang.RuntimePermission \"setSecurityManager\";\n};\n"
                + (agent == null ? "" : "grant codeBase \"" + ChildJvm.AGENT_JAR.toAbsolutePath().toUri() + "\" {\n"
                + "  permission " + agent + ";\n};\n");
        Path file = Files.writeString(temp.resolve("app.policy"), policy);
        return start(SecurityManagerApp.class, "interval=100ms",
                List.of("-Djava.security.manager" + (manager.isEmpty() ? "" : "=" + manager), "-Djava.security.policy==" + file));
    }

    @Test
    void restrictiveSecurityManagerTurnsDetectionOffAndSaysWhy() throws Exception {
        try (ChildJvm child = secured("allow", null)) {
            child.awaitLine("security-manager: installed");
            child.awaitLine(l -> l.contains("detection is off") && l.contains("SecurityManager")
                            && l.contains("grant codeBase \"file:" + ChildJvm.AGENT_JAR.toAbsolutePath()), 0, BOUND,
                    "saying that detection is off because of the SecurityManager, and what to grant");
            child.stop();
            assertFalse(child.output().contains("Exception in thread"), child.output());
        }
    }

    @Test
    void securityManagerFromTheStartSaysDetectionIsOff() throws Exception {
        try (ChildJvm child = secured("", null)) {
            child.awaitLine(l -> l.startsWith("lockwatch: could not start; detection is off: the application's"
                    + " SecurityManager denies Lockwatch") && l.contains("AllPermission"), 0, BOUND, "saying why it is off");
            child.awaitLine("security-manager: installed"); // the application runs on
        }
    }

    @Test
    void securityManagerThatGrantsTheAgentLetsItReport() throws Exception {
        try (ChildJvm child = secured("allow", "java.security.AllPermission")) {
            child.awaitLine("security-manager: installed");
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            assertTrue(report.text().contains("\"secured-A-then-B\""), report.text());
            assertFalse(child.output().contains("transformation error"), child.output()); // logged at the next check
        }
    }

    // ---- 11: a monitor held across a parallel stream -----------------------------------------------------------

    @Test
    void monitorHeldWhileAParallelStreamNeedsItIsADeadlock() throws Exception {
        try (ChildJvm child = start(ParallelStreamMonitorApp.class, "interval=100ms", List.of())) {
            child.awaitLine("parallel-stream: holding the monitor");
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            assertTrue(report.text().contains("\"main\""), report.text());
            assertTrue(report.text().contains("ForkJoinPool.commonPool-worker"), report.text());
        }
    }

    // ---- 12: classes defined without a name --------------------------------------------------------------------

    @Test
    void classDefinedWithANullNameIsRewritten() throws Exception {
        try (ChildJvm child = start(NullNameClassApp.class, "interval=100ms", List.of())) {
            child.awaitLine("null-name: defined dev.lockwatch.it.apps.NullNameLocks in Nameless");
            ChildJvm.Report report = child.awaitReport("DEADLOCK");
            assertTrue(report.text().contains("acquired at dev.lockwatch.it.apps.NullNameLocks.both(NullNameLocks.java:"),
                    report.text());
        }
    }
    // ---- 14: security hygiene ----------------------------------------------------------------------------------

    @Test
    void logOptionDoesNotFollowASymbolicLinkPlantedInItsPlace() throws Exception {
        Path victim = Files.writeString(temp.resolve("victim"), "precious\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Path link = Files.createSymbolicLink(temp.resolve("agent.log"), victim);
        String out = healthy(TimedBackoffApp.class, "interval=100ms,log=" + link, "200");
        assertEquals("precious\n", Files.readString(victim), "the link's target is left alone");
        assertTrue(out.contains("a symbolic link"), out);
    }

    @Test
    void logFileIsCreatedReadableByTheOwnerOnly() throws Exception {
        Path log = temp.resolve("agent.log");
        try (ChildJvm child = start(TimedBackoffApp.class, "interval=100ms,log=" + log, List.of(), "200")) {
            assertEquals(0, child.awaitExit(BOUND), child.output());
        }
        String written = Files.readString(log);
        assertTrue(written.contains("Lockwatch 0.1.0 started") && written.contains("transformation errors=0,"), written);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
    }

    @Test
    void dumpIsReadableByTheOwnerOnly() throws Exception {
        Path dumps = Files.createDirectories(temp.resolve("dumps"));
        try (ChildJvm child = start(NullNameClassApp.class, "interval=100ms,onDeadlock=dump,dumpDir=" + dumps, List.of())) {
            child.awaitReport("DEADLOCK");
            child.awaitLine("written to " + dumps);
            List<Path> files;
            try (Stream<Path> list = Files.list(dumps)) {
                files = list.collect(Collectors.toList());
            }
            assertEquals(1, files.size(), files.toString());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))));
        }
    }

    @Test
    void dumpNeverFallsBackToTheSharedTmpSilently() throws Exception {
        Path tmp = Files.createDirectories(temp.resolve("tmp"));
        // a working directory where no file can be created, even by root
        try (ChildJvm child = start(NullNameClassApp.class, "interval=100ms,onDeadlock=dump",
                List.of("-Duser.dir=/proc", "-Djava.io.tmpdir=" + tmp))) {
            child.awaitReport("DEADLOCK");
            child.awaitLine(l -> l.contains("WARN") && l.contains("could not write the thread dump"), 0, BOUND,
                    "saying that no dump was written");
            try (Stream<Path> list = Files.list(tmp)) {
                assertEquals(List.of(), list.filter(p -> p.getFileName().toString().startsWith("lockwatch-"))
                        .collect(Collectors.toList()));
            }
        }
    }

    @Test
    void statusLeavesNoJmxListenerInTheTarget() throws Exception {
        try (ChildJvm child = start(NullNameClassApp.class, "interval=100ms", List.of())) {
            child.awaitReport("DEADLOCK");
            try (ChildJvm status = OperationsIT.agentCommand("status", String.valueOf(child.pid()))) {
                assertEquals(0, status.awaitExit(BOUND), status.output());
                assertTrue(status.output().contains("wait-for graph as of check"), status.output());
            }
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(String.valueOf(child.pid()));
            try {
                java.util.Properties agent = vm.getAgentProperties();
                assertNull(agent.getProperty("com.sun.management.jmxremote.localConnectorAddress"), agent.toString());
                assertNull(vm.getSystemProperties().getProperty("com.sun.management.jmxremote.port"));
            } finally {
                vm.detach();
            }
        }
    }
}
