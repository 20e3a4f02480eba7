package dev.lockwatch.agent.report;

import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.WaitEdge.Mode;
import dev.lockwatch.agent.report.ThreadReport.Held;
import dev.lockwatch.agent.report.ThreadReport.Wait;

import java.util.List;

/** Hand-built reports for the tests of the encoders and the pipeline. */
public final class Reports {
    public static final LockRef LOCK_A = new LockRef("java.util.concurrent.locks.ReentrantLock$NonfairSync", 0x1234);
    public static final LockRef LOCK_B = new LockRef("java.lang.Object", 0x5678);

    private Reports() {
    }

    public static StackTraceElement frame(String cls, String method, int line) {
        return new StackTraceElement(cls, method, cls.substring(cls.lastIndexOf('.') + 1) + ".java", line);
    }

    /** Two threads; each holds one lock, taken at {@code siteA} and {@code siteB}, and waits in {@code cls}. */
    public static DeadlockReport deadlock(String fingerprint, String nameA, String nameB, String cls) {
        ThreadReport a = new ThreadReport(nameA, 14, "WAITING", false,
                new Wait(LOCK_A, Mode.EXCLUSIVE, false, 15, nameB, Mode.EXCLUSIVE, 1200, null),
                List.of(new Held(LOCK_B, Mode.MONITOR, cls + ".a(X.java:10)")),
                List.of(frame("jdk.internal.misc.Unsafe", "park", -2), frame(cls, "a", 12), frame("java.lang.Thread", "run", 840)));
        ThreadReport b = new ThreadReport(nameB, 15, "BLOCKED", false,
                new Wait(LOCK_B, Mode.MONITOR, false, 14, nameA, Mode.MONITOR, -1, null),
                List.of(new Held(LOCK_A, Mode.EXCLUSIVE, cls + ".b(X.java:20)")),
                List.of(frame(cls, "b", 22), frame("java.lang.Thread", "run", 840)));
        return new DeadlockReport(fingerprint, false, List.of(a, b));
    }

    public static StarvationReport starvation(String fingerprint, String cls) {
        ThreadReport worker = new ThreadReport("pool-1-thread-1", 20, "WAITING", false,
                new Wait(new LockRef("java.util.concurrent.FutureTask", 0x42), Mode.POOL, false, -1,
                        "java.util.concurrent.ThreadPoolExecutor@99", Mode.POOL, 500, "a subtask"),
                List.of(), List.of(frame("java.util.concurrent.FutureTask", "get", 191), frame(cls, "outer", 30)));
        return new StarvationReport(fingerprint, "java.util.concurrent.ThreadPoolExecutor@99", 1, List.of(worker),
                List.of(new StarvationReport.QueuedTask("java.util.concurrent.FutureTask@42", cls + "$$Lambda", List.of("pool-1-thread-1"))));
    }

    public static HeldWhileBlockingReport heldWhileBlocking(String fingerprint, String cls) {
        return new HeldWhileBlockingReport(fingerprint, "worker", 30, "java.util.concurrent.FutureTask",
                cls + ".waitForIt(Y.java:5)", List.of(new Held(new LockRef("java.lang.Object", 1), Mode.MONITOR, cls + ".hold(Y.java:3)")),
                List.of(frame(cls, "waitForIt", 5)));
    }

    public static LockOrderReport lockOrder(String fingerprint, String cls) {
        return new LockOrderReport(fingerprint, false, List.of(
                new LockOrderReport.Order("monitor com.example.Account@1", cls + ".transfer(Bank.java:10)",
                        "monitor com.example.Account@2", cls + ".transfer(Bank.java:11)", false, "transfer-1", 1_000L,
                        List.of(frame(cls, "transfer", 11)), null),
                new LockOrderReport.Order("monitor com.example.Account@2", cls + ".transfer(Bank.java:10)",
                        "monitor com.example.Account@1", cls + ".transfer(Bank.java:11)", false, "transfer-2", 2_000L,
                        List.of(frame(cls, "transfer", 11)), null)));
    }
}
