package dev.lockwatch.it;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13: every lock-order demo in a child JVM with the built agent and {@code lockOrder=on}. The inversions run
 * to completion (their threads run one after the other, nothing ever waits) and still get one LOCK_ORDER report,
 * soon after the order that closed the cycle, naming every edge's two locks, the lines where they were taken, the
 * thread that first took the order and its stack. The healthy scenarios, one per no-report rule, get none, and
 * their count of recorded orders shows what was (and was not) recorded.
 */
class LockOrderScenariosIT {
    private static final String OPTIONS = "lockOrder=on,interval=200ms";
    private static final long INTERVAL_MS = 200;
    private static final int RUN_SECONDS = 2;
    private static final Duration EXIT_BOUND = Duration.ofSeconds(RUN_SECONDS + 40);
    private static final Path DEMO_SOURCES = ChildJvm.DEMO_JAR.toAbsolutePath().getParent().getParent()
            .resolve("src/main/java/dev/lockwatch/demo");
    /** One edge of the text report: "order N: holds L, acquired at SITE" / "then takes L, at SITE" / "first taken by". */
    private static final Pattern ORDER = Pattern.compile(
            "  order (\\d+): holds (.+), acquired at ([\\w.$]+\\((\\w+\\.java):(\\d+)\\))\n"
                    + "    then takes (.+), at ([\\w.$]+\\((\\w+\\.java):(\\d+)\\))( \\(tryLock with a timeout\\))?\n"
                    + "    first taken by \"([^\"]+)\" at \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\n"
                    + "    stack:\n"
                    + "      at (.+)\n");

    /** An inversion: its threads, how many locks its cycle has, the kinds of lock on it, whether it is timed. */
    record Inversion(String scenario, List<String> threads, int locks, List<String> lockKinds, boolean timed) {
        @Override
        public String toString() {
            return scenario;
        }
    }

    static Stream<Inversion> inversions() {
        return Stream.of(
                new Inversion("lock-order-transfer", List.of("transfer-checking-to-savings", "transfer-savings-to-checking"), 2,
                        List.of("monitor dev.lockwatch.demo.LockOrderTransfer$Account@"), false),
                new Inversion("lock-order-mixed", List.of("journal-then-index", "index-then-journal"), 2,
                        List.of("lock java.util.concurrent.locks.ReentrantLock$NonfairSync@", "monitor dev.lockwatch.demo.LockOrderMixed$Index@"), false),
                new Inversion("lock-order-ring", List.of("ring-a-then-b", "ring-b-then-c", "ring-c-then-a"), 3,
                        List.of("lock java.util.concurrent.locks.ReentrantLock$NonfairSync@"), false),
                new Inversion("lock-order-rw", List.of("write-then-stats", "stats-then-read"), 2,
                        List.of("write lock java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync@",
                                "read lock java.util.concurrent.locks.ReentrantReadWriteLock$NonfairSync@",
                                "lock java.util.concurrent.locks.ReentrantLock$NonfairSync@"), false),
                new Inversion("lock-order-timed", List.of("a-then-timed-b", "b-then-a"), 2,
                        List.of("lock java.util.concurrent.locks.ReentrantLock$NonfairSync@"), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inversions")
    void anInversionThatNeverHangsIsReportedOnceWithEveryEdge(Inversion expected) throws Exception {
        try (ChildJvm child = ChildJvm.demo(expected.scenario(), OPTIONS, List.of(), RUN_SECONDS)) {
            int taken = child.awaitLine(l -> l.contains("demo: " + expected.scenario() + ": orders taken"), 0,
                    ChildJvm.DEFAULT_WAIT, "saying the orders were taken");
            ChildJvm.Report report = child.awaitReport("LOCK_ORDER");
            String text = report.text();
            String headline = text.lines().findFirst().orElseThrow();
            assertTrue(headline.contains("] WARN  LOCK_ORDER: " + expected.locks() + " locks taken in orders that close a cycle;"),
                    text);
            assertEquals(expected.timed(), headline.contains("(with a tryLock timeout, until it fails)"), text);

            List<Edge> edges = edges(text);
            assertEquals(expected.locks(), edges.size(), "one order per lock of the cycle:\n" + text);
            assertEquals(expected.threads().size(), text.lines().filter(l -> l.trim().equals("stack:")).count(), text);
            assertEquals(Set.copyOf(expected.threads()), edges.stream().map(Edge::thread).collect(Collectors.toSet()),
                    "each order names the thread that first took it:\n" + text);
            for (int i = 0; i < edges.size(); i++) {
                Edge e = edges.get(i);
                Edge next = edges.get((i + 1) % edges.size());
                assertEquals(lockOf(e.taken()), lockOf(next.held()), "the orders close a cycle, each taking the lock the next one holds:\n" + text);
                assertTakesALock(e.heldFile(), e.heldLine(), text);
                assertTakesALock(e.takenFile(), e.takenLine(), text);
                assertTrue(e.firstFrame().startsWith(e.takenSite().substring(0, e.takenSite().indexOf('('))),
                        "the stack is the taking thread's, at the inner acquisition:\n" + text);
                assertTrue(expected.lockKinds().stream().anyMatch(k -> e.held().startsWith(k)), text);
            }
            assertEquals(expected.timed(), text.contains("(tryLock with a timeout)"), text);
            for (String kind : expected.lockKinds()) {
                assertTrue(text.contains(kind), "the cycle has a " + kind + "...:\n" + text);
            }

            long latencyMs = TimeUnit.NANOSECONDS.toMillis(report.nanos() - child.lineNanos(taken));
            System.out.println("lock-order latency " + expected.scenario() + ": " + latencyMs + " ms");
            assertTrue(latencyMs <= INTERVAL_MS + 1000, "reported " + latencyMs + " ms after the orders were taken");

            assertEquals(0, child.awaitExit(EXIT_BOUND), "no thread ever waits: the demo ends by itself\n" + child.output());
            String out = child.output();
            assertTrue(out.contains("demo: " + expected.scenario() + ": done"), out);
            assertEquals(1, child.countLines(l -> l.contains("LOCK_ORDER")), "one report:\n" + out);
            assertEquals(0, child.countLines(l -> l.contains("DEADLOCK") || l.contains("HANG") || l.contains("STARVATION")), out);
            assertTrue(out.contains("transformation errors=0,"), out);
            assertTrue(out.contains(", lock orders recorded=" + expected.locks() + ", "), out);
            assertTrue(out.contains("lock order=1, "), out);
        }
    }

    /** A healthy scenario and the distinct orders it records. */
    record Healthy(String scenario, int orders) {
        @Override
        public String toString() {
            return scenario;
        }
    }

    static Stream<Healthy> healthy() {
        return Stream.of(
                new Healthy("lock-order-gate", 4),          // gate->a, gate->b, a->b, b->a: every a/b order under the gate
                new Healthy("lock-order-read-only", 2),     // r1->r2, r2->r1: read locks never write-locked
                new Healthy("lock-order-trylock", 0),       // an untimed tryLock() inside never waits: no order
                new Healthy("lock-order-reentry", 2),       // a->b and m->n; taking a (m) again inside b (n) is no order
                new Healthy("lock-order-one-thread", 2),    // a->b, b->a, by one thread only
                new Healthy("lock-order-many", -1));        // 100,000 short-lived locks: how many are checked depends on the queue
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("healthy")
    void aCycleThatCannotDeadlockIsNotReported(Healthy expected) throws Exception {
        try (ChildJvm child = ChildJvm.demo(expected.scenario(), OPTIONS, List.of(), RUN_SECONDS)) {
            assertEquals(0, child.awaitExit(EXIT_BOUND), child.output());
            String out = child.output();
            assertTrue(out.contains("demo: " + expected.scenario() + ": done"), out);
            for (String kind : List.of("LOCK_ORDER", "DEADLOCK", "STARVATION", "HANG", "HELD_WHILE_BLOCKING")) {
                assertFalse(out.contains(kind), "no " + kind + ":\n" + out);
            }
            // 200,000 locks may outrun the garbage collector: then the graph says once that it reached its bound.
            assertTrue(child.countLines(l -> l.contains("reached its bound")) <= (expected.orders() < 0 ? 1 : 0), out);
            assertTrue(out.contains("transformation errors=0,"), out);
            Matcher recorded = Pattern.compile(", lock orders recorded=(\\d+), ").matcher(out);
            assertTrue(recorded.find(), out);
            if (expected.orders() >= 0) {
                assertEquals(expected.orders(), Integer.parseInt(recorded.group(1)), out);
            } else {
                assertTrue(Integer.parseInt(recorded.group(1)) > 0, out);
            }
        }
    }

    @Test
    void withLockOrderOffMonitorsAreNotRewrittenAndNothingIsRecorded() throws Exception {
        int withOrders;
        try (ChildJvm child = ChildJvm.demo("lock-order-transfer", OPTIONS, List.of(), 1)) {
            assertEquals(0, child.awaitExit(EXIT_BOUND), child.output());
            withOrders = rewritten(child.output());
        }
        try (ChildJvm child = ChildJvm.demo("lock-order-transfer", "interval=200ms", List.of(), 1)) {
            assertEquals(0, child.awaitExit(EXIT_BOUND), child.output());
            String out = child.output();
            assertFalse(out.contains("LOCK_ORDER"), out);
            assertFalse(out.contains("lock orders recorded"), out);
            assertTrue(out.contains("lockOrder=off"), out);
            assertTrue(out.contains("monitors via the JVM"), out);
            assertTrue(rewritten(out) < withOrders, "lockOrder=off leaves synchronized alone: " + rewritten(out) + " < " + withOrders);
        }
    }

    /** The JSON event: the same flat keys as the other events, with edge.i.* keys per order. */
    @Test
    void theJsonEventHasOneGroupOfKeysPerEdge() throws Exception {
        try (ChildJvm child = ChildJvm.demo("lock-order-transfer", OPTIONS + ",format=json", List.of(), RUN_SECONDS)) {
            int at = child.awaitLine(l -> l.contains("\"LOCK_ORDER\""), 0, ChildJvm.DEFAULT_WAIT, "with the JSON event");
            assertEquals(0, child.awaitExit(EXIT_BOUND), child.output());
            String line = child.output().lines().skip(at).findFirst().orElseThrow();
            Map<String, Object> event = JsonLine.parseObject(line);
            Map<String, String> kv = JsonLine.keyValues(event);
            assertEquals("WARN", event.get("level"));
            assertEquals(List.of("kind", "fingerprint", "pid", "host", "reminder"), List.copyOf(kv.keySet()).subList(0, 5));
            assertEquals("LOCK_ORDER", kv.get("kind"));
            assertEquals(String.valueOf(child.pid()), kv.get("pid"));
            assertEquals("false", kv.get("timed"));
            assertEquals("false", kv.get("acrossRuns"));
            assertEquals("2", kv.get("threadCount"));
            assertEquals("2", kv.get("edgeCount"));
            assertEquals(Set.of("transfer-checking-to-savings", "transfer-savings-to-checking"),
                    Set.of(kv.get("edge.0.thread"), kv.get("edge.1.thread")));
            assertEquals(Set.of("transfer-checking-to-savings", "transfer-savings-to-checking"),
                    Set.of(kv.get("thread.0.name"), kv.get("thread.1.name")));
            for (int i = 0; i < 2; i++) {
                assertTrue(kv.get("edge." + i + ".from.lock").startsWith("monitor dev.lockwatch.demo.LockOrderTransfer$Account@"), kv.toString());
                assertEquals(kv.get("edge." + i + ".to.lock"), kv.get("edge." + (1 - i) + ".from.lock"), kv.toString());
                assertTrue(kv.get("edge." + i + ".from.site").matches("dev\\.lockwatch\\.demo\\.LockOrderTransfer\\.transfer\\(LockOrderTransfer\\.java:\\d+\\)"), kv.toString());
                assertTrue(kv.get("edge." + i + ".to.site").matches("dev\\.lockwatch\\.demo\\.LockOrderTransfer\\.transfer\\(LockOrderTransfer\\.java:\\d+\\)"), kv.toString());
                assertEquals("false", kv.get("edge." + i + ".timed"));
                assertTrue(kv.get("edge." + i + ".firstMillis").matches("\\d{13}"), kv.toString());
                assertTrue(kv.get("edge." + i + ".stack.0").startsWith("dev.lockwatch.demo.LockOrderTransfer.transfer("), kv.toString());
            }
        }
    }

    @Test
    void onLockOrderExitFailsTheRunWithTheCodeOnceTheReportIsLogged() throws Exception {
        try (ChildJvm child = ChildJvm.demo("lock-order-transfer", OPTIONS + ",onLockOrder=exit=3", List.of(), 30)) {
            assertEquals(3, child.awaitExit(EXIT_BOUND), child.output());
            List<String> lines = child.output().lines().collect(Collectors.toList());
            int report = indexOf(lines, l -> l.contains("] WARN  LOCK_ORDER: 2 locks"));
            int end = indexOf(lines, l -> l.startsWith("  end of report [fingerprint "));
            int halt = indexOf(lines, l -> l.contains("halting the JVM with exit code 3 (onLockOrder=exit=3"));
            assertTrue(report >= 0 && report < end && end < halt, child.output());
            assertFalse(child.output().contains("demo: lock-order-transfer: done"), child.output());
        }
        // onDeadlock's action is not onLockOrder's: a lock-order report alone does not halt with onDeadlock=exit.
        try (ChildJvm child = ChildJvm.demo("lock-order-transfer", OPTIONS + ",onDeadlock=exit=3", List.of(), RUN_SECONDS)) {
            assertEquals(0, child.awaitExit(EXIT_BOUND), child.output());
            assertTrue(child.output().contains("LOCK_ORDER: 2 locks"), child.output());
        }
    }

    @Test
    void aSuppressedInversionIsCountedNotLoggedAndTriggersNothing() throws Exception {
        try (ChildJvm child = ChildJvm.demo("lock-order-transfer", OPTIONS + ",suppress=dev.lockwatch.demo.LockOrderTransfer.*,onLockOrder=exit=3",
                List.of(), RUN_SECONDS)) {
            assertEquals(0, child.awaitExit(EXIT_BOUND), child.output());
            String out = child.output();
            assertFalse(out.contains("LOCK_ORDER"), out);
            assertTrue(out.contains(", lock order=0, held while blocking=0, suppressed=1, "), out);
        }
    }

    /** The MBean's LockOrderCount, {@code status} (with the number of recorded orders) and one JFR event. */
    @Test
    void theMBeanStatusAndJfrShowTheInversion(@TempDir Path temp) throws Exception {
        Path recording = temp.resolve("recording.jfr");
        try (ChildJvm child = ChildJvm.demo("lock-order-transfer", OPTIONS,
                List.of("-XX:StartFlightRecording=filename=" + recording + ",dumponexit=true"), 120)) {
            String fingerprint = fingerprint(child.awaitReport("LOCK_ORDER").text());
            try (Jmx jmx = Jmx.of(child.pid())) {
                assertEquals(1, jmx.bean().getLockOrderCount());
                assertEquals(2, jmx.bean().getRecordedOrderCount());
                assertEquals(2, jmx.bean().getGraphOrderCount());
                assertEquals(0, jmx.bean().getDeadlockCount());
                assertTrue(jmx.bean().getOptions().startsWith("interval=200ms, lockOrder=on,"), jmx.bean().getOptions());
                assertTrue(jmx.bean().getLastReport().startsWith("LOCK_ORDER: 2 locks taken in orders that close a cycle;"),
                        jmx.bean().getLastReport());
            }
            try (ChildJvm status = OperationsIT.agentCommand("status", String.valueOf(child.pid()))) {
                assertEquals(0, status.awaitExit(ChildJvm.DEFAULT_WAIT), status.output());
                List<String> lines = status.output().lines().collect(Collectors.toList());
                assertTrue(lines.get(0).contains("reports: deadlock 0, starvation 0, hang 0, lock order 1, held while blocking 0;"),
                        status.output());
                assertTrue(lines.contains("lock orders recorded: 2 (2 in the graph now)"), status.output());
            }
            AlertingIT.terminate(child);
            List<RecordedEvent> events = RecordingFile.readAllEvents(recording).stream()
                    .filter(e -> e.getEventType().getName().equals("dev.lockwatch.Report"))
                    .collect(Collectors.toList());
            assertEquals(1, events.size(), "one report, one event: " + events);
            RecordedEvent e = events.get(0);
            assertEquals("LOCK_ORDER", e.getString("kind"));
            assertEquals(fingerprint, e.getString("fingerprint"));
            assertTrue(e.getString("threads").contains("\"transfer-checking-to-savings\"")
                    && e.getString("threads").contains("\"transfer-savings-to-checking\""), e.getString("threads"));
            assertTrue(e.getString("report").startsWith("LOCK_ORDER: 2 locks") && e.getString("report").contains("end of report"),
                    e.getString("report"));
        }
    }

    /** One order as the text report shows it. */
    record Edge(String held, String heldSite, String heldFile, int heldLine, String taken, String takenSite, String takenFile,
                int takenLine, String thread, String firstFrame) {
    }

    /**
     * Locks are nodes without being kept alive: the order between two short-lived locks is counted, the locks are
     * collected once their thread has let them go (while the application still holds the ended Thread object),
     * and the order leaves the graph.
     */
    @Test
    void lockOrderCheckingKeepsNoLockAliveAndACollectedLocksOrdersGoAway() throws Exception {
        try (ChildJvm child = ChildJvm.demo("lock-order-collected", OPTIONS, List.of(), 1)) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child.output());
            String out = child.output();
            assertTrue(out.contains("demo: lock-order-collected: orders in the graph 1"), out);
            assertTrue(out.contains("demo: lock-order-collected: both locks collected true"), out);
            assertTrue(out.contains("demo: lock-order-collected: orders in the graph after collection 0"), out);
            assertEquals(0, child.countLines(l -> l.contains("LOCK_ORDER")), out);
            assertTrue(out.contains(", lock orders recorded=1, "), "the stop line counts the order that left:\n" + out);
        }
    }

    /**
     * {@code lockOrderFile}: the two halves of an inversion, each in its own JVM one after the other, as two test
     * classes of a suite run in forked JVMs. The first finds nothing and leaves its order in the file; the second
     * reports the inversion, naming both sites and saying which half came from the earlier run.
     */
    @Test
    void halvesOfAnInversionInTwoJvmsAreReportedByTheSecond(@TempDir Path temp) throws Exception {
        Path file = temp.resolve("lock-orders.txt");
        String options = OPTIONS + ",lockOrderFile=" + file;
        long firstPid;
        try (ChildJvm first = ChildJvm.demo("lock-order-half-a", options, List.of(), 1)) {
            assertEquals(0, first.awaitExit(EXIT_BOUND), first.output());
            firstPid = first.pid();
            String out = first.output();
            assertEquals(0, first.countLines(l -> l.contains("LOCK_ORDER")), "half an inversion is no cycle:\n" + out);
            assertTrue(out.contains("lock orders of this run merged into " + file + " (1 of this run, 1 in the file)"), out);
        }
        assertEquals("lockwatch lock orders 1", Files.readAllLines(file).get(0));
        try (ChildJvm second = ChildJvm.demo("lock-order-half-b", options, List.of(), 1)) {
            String text = second.awaitReport("LOCK_ORDER").text();
            assertTrue(text.lines().findFirst().orElseThrow().contains(
                    "LOCK_ORDER: 2 locks taken in orders that close a cycle (one order from an earlier run);"), text);
            String site = "dev\\.lockwatch\\.demo\\.LockOrderHalves\\.take\\(LockOrderHalves\\.java:\\d+\\)";
            Pattern earlier = Pattern.compile("  order \\d: holds lock dev\\.lockwatch\\.demo\\.LockOrderHalves\\$Ledger\\.accounts"
                    + " \\(field, any instance\\), acquired at " + site + "\n"
                    + "    then takes monitor dev\\.lockwatch\\.demo\\.LockOrderHalves\\$Ledger\\.audit \\(field, any instance\\), at "
                    + site + "\n"
                    + "    taken in an earlier run: pid " + firstPid + " on [^,]+, started [0-9T:Z-]+, by \"posting\"\n"
                    + "    stack: not kept in the lock-order file\n");
            assertTrue(earlier.matcher(text).find(), "the first half, from the file:\n" + text);
            Pattern now = Pattern.compile("  order \\d: holds monitor dev\\.lockwatch\\.demo\\.LockOrderHalves\\$Ledger\\.audit"
                    + " \\(field, any instance\\), acquired at " + site + "\n"
                    + "    then takes lock dev\\.lockwatch\\.demo\\.LockOrderHalves\\$Ledger\\.accounts \\(field, any instance\\), at "
                    + site + "\n"
                    + "    first taken by \"auditor\" at [0-9:.]+\n"
                    + "    stack:\n"
                    + "      at dev\\.lockwatch\\.demo\\.LockOrderHalves\\.take\\(");
            assertTrue(now.matcher(text).find(), "the second half, from this run:\n" + text);
            assertEquals(0, second.awaitExit(EXIT_BOUND), second.output());
            String out = second.output();
            assertEquals(1, second.countLines(l -> l.contains("LOCK_ORDER")), out);
            assertTrue(out.contains("lock orders of this run merged into " + file + " (1 of this run, 2 in the file)"), out);
        }
        // a third run of either half finds the same inversion in the file alone, and adds nothing to it
        try (ChildJvm third = ChildJvm.demo("lock-order-half-a", options + ",format=json", List.of(), 1)) {
            int at = third.awaitLine(l -> l.contains("\"LOCK_ORDER\""), 0, ChildJvm.DEFAULT_WAIT, "with the JSON event");
            assertEquals(0, third.awaitExit(EXIT_BOUND), third.output());
            Map<String, String> kv = JsonLine.keyValues(JsonLine.parseObject(third.output().lines().skip(at).findFirst().orElseThrow()));
            assertEquals("true", kv.get("acrossRuns"), kv.toString());
            assertEquals("2", kv.get("edgeCount"), kv.toString());
            long fromFile = Stream.of("0", "1").filter(i -> kv.get("edge." + i + ".earlierRun") != null).count();
            assertEquals(1, fromFile, "the half this run took again is this run's, the other one the file's: " + kv);
            assertTrue(third.output().contains("(1 of this run, 2 in the file)"), third.output());
        }
        assertEquals(3, Files.readAllLines(file).size(), "the header and two orders, each once");
    }

    /** Several JVMs that end at the same time merge into one file: every order is there, and every line parses. */
    @Test
    void concurrentJvmsMergingOneFileNeverCorruptIt(@TempDir Path temp) throws Exception {
        Path file = temp.resolve("shared-orders.txt");
        String options = OPTIONS + ",lockOrderFile=" + file;
        List<ChildJvm> children = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                children.add(ChildJvm.demo(i % 2 == 0 ? "lock-order-half-a" : "lock-order-half-b", options, List.of(), 1));
            }
            for (ChildJvm child : children) {
                assertEquals(0, child.awaitExit(EXIT_BOUND), child.output());
                assertTrue(child.output().contains("lock orders of this run merged into " + file), child.output());
            }
        } finally {
            for (ChildJvm child : children) {
                child.close();
            }
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals("lockwatch lock orders 1", lines.get(0));
        assertEquals(3, lines.size(), "both orders, each once: " + lines);
        for (String line : lines.subList(1, lines.size())) {
            assertEquals(12, line.split("\t", -1).length, line);
        }
        try (Stream<Path> left = Files.list(temp)) {
            assertEquals(Set.of("shared-orders.txt", "shared-orders.txt.lock"),
                    left.map(p -> p.getFileName().toString()).collect(Collectors.toSet()), "no temporary file is left");
        }
    }

    static List<Edge> edges(String text) {
        Matcher m = ORDER.matcher(text);
        List<Edge> edges = new java.util.ArrayList<>();
        while (m.find()) {
            assertEquals(edges.size() + 1, Integer.parseInt(m.group(1)), text);
            edges.add(new Edge(m.group(2), m.group(3), m.group(4), Integer.parseInt(m.group(5)), m.group(6), m.group(7),
                    m.group(8), Integer.parseInt(m.group(9)), m.group(11), m.group(12)));
        }
        return edges;
    }

    /** The line a site names, in the demo's source, takes a lock: a synchronized, a lock() or a tryLock(...). */
    private static void assertTakesALock(String file, int line, String report) throws IOException {
        List<String> source = Files.readAllLines(DEMO_SOURCES.resolve(file));
        String text = source.get(line - 1);
        assertTrue(text.contains("synchronized") || text.contains(".lock()") || text.contains(".tryLock("),
                file + ":" + line + " is '" + text.trim() + "', which takes no lock:\n" + report);
    }

    /** The lock of "read lock java...Sync@1f": its class and identity, whichever half of it was taken. */
    private static String lockOf(String described) {
        return described.substring(described.lastIndexOf(' ') + 1);
    }

    private static String fingerprint(String text) {
        Matcher fp = Pattern.compile("\\[fingerprint ([0-9a-f]{16})]").matcher(text);
        assertTrue(fp.find(), text);
        return fp.group(1);
    }

    private static int indexOf(List<String> lines, java.util.function.Predicate<String> match) {
        for (int i = 0; i < lines.size(); i++) {
            if (match.test(lines.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int rewritten(String out) {
        Matcher m = Pattern.compile("lock call sites rewritten=(\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Integer.parseInt(m.group(1));
    }
}
