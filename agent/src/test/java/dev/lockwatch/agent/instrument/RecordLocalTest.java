package dev.lockwatch.agent.instrument;

import dev.lockwatch.agent.sites.SiteTable;
import dev.lockwatch.bootstrap.Registry;
import dev.lockwatch.bootstrap.ThreadRecord;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A method with two or more recorded operations keeps the thread's record in a local the rewriter adds: the
 * rewritten class still verifies (the local is declared in every stack map frame), still does what it did, and
 * records every hold with its own site; a method with one operation passes null instead.
 */
class RecordLocalTest {
    private static final String FIXTURE = RecordLocalFixture.class.getName();
    private static final SiteTable SITES = new SiteTable();

    @Test
    void nestedLocksShareOneLookupAndRecordBothHoldsWithTheirOwnSites() throws Exception {
        Class<?> c = load(false);
        ReentrantLock outer = new ReentrantLock();
        ReentrantLock inner = new ReentrantLock();
        AtomicReference<Map<Object, String>> inside = new AtomicReference<>();

        c.getMethod("nested", ReentrantLock.class, ReentrantLock.class, Runnable.class)
                .invoke(null, outer, inner, (Runnable) () -> inside.set(confirmedHolds()));

        Map<Object, String> holds = inside.get();
        assertTrue(holds.get(outer).startsWith(FIXTURE + ".nested(RecordLocalFixture.java:"), holds.toString());
        assertTrue(holds.get(inner).startsWith(FIXTURE + ".nested(RecordLocalFixture.java:"), holds.toString());
        assertNotEquals(holds.get(outer), holds.get(inner), "each acquisition its own site");
        assertEquals(Map.of(), confirmedHolds(), "both released");
    }

    @Test
    void onlyMethodsWithTwoOrMoreOperationsLookTheRecordUpThroughTheLocal() throws IOException {
        Map<String, Integer> lookups = callsOf(rewrite(false), "current");

        assertEquals(2, lookups.getOrDefault("nested", 0), "one per acquisition; the second finds the first's");
        assertEquals(2, lookups.getOrDefault("wideLocals", 0));
        assertEquals(0, lookups.getOrDefault("oneSite", 0), "one operation: null is passed, no local");
    }

    @Test
    void wideLocalsLoopsAndBranchesStillVerifyAndComputeTheSame() throws Exception {
        Class<?> c = load(false);
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        List<Integer> seen = new ArrayList<>();

        Object result = c.getMethod("wideLocals", ReentrantLock.class, ReentrantLock.class, int.class, Runnable.class)
                .invoke(null, a, b, 7, (Runnable) () -> seen.add(confirmedHolds().size()));

        assertEquals(RecordLocalFixture.wideLocals(a, b, 7, () -> { }), result);
        assertEquals(List.of(2, 2, 2, 2), seen, "both holds recorded in every round that took them");
        assertEquals(Map.of(), confirmedHolds());
    }

    @Test
    void aTryThatStartsTheMethodStillCatchesAndReleases() throws Exception {
        Class<?> c = load(false);
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();

        Object ok = c.getMethod("tryFirst", ReentrantLock.class, ReentrantLock.class, Runnable.class)
                .invoke(null, a, b, (Runnable) () -> assertEquals(2, confirmedHolds().size()));
        Object caught = c.getMethod("tryFirst", ReentrantLock.class, ReentrantLock.class, Runnable.class)
                .invoke(null, a, b, (Runnable) () -> {
                    throw new IllegalStateException("inside");
                });

        assertEquals(1, ok);
        assertEquals(-1, caught);
        assertTrue(!a.isLocked() && !b.isLocked());
        assertEquals(Map.of(), confirmedHolds());
    }

    @Test
    void aSynchronizedMethodWithABlockRecordsBothMonitorsAndPopsThemOnReturnAndOnThrow() throws Exception {
        Class<?> c = load(true);
        Object target = c.getConstructor().newInstance();
        Object monitor = new Object();
        ReentrantLock lock = new ReentrantLock();
        AtomicReference<Map<Object, String>> inside = new AtomicReference<>();
        var method = c.getMethod("synchronizedMethod", Object.class, ReentrantLock.class, Runnable.class);

        method.invoke(target, monitor, lock, (Runnable) () -> inside.set(confirmedHolds()));

        Map<Object, String> holds = inside.get();
        assertEquals(3, holds.size(), holds.toString());
        assertTrue(holds.get(target).startsWith(FIXTURE + ".synchronizedMethod("), holds.toString());
        assertTrue(holds.get(monitor).startsWith(FIXTURE + ".synchronizedMethod(RecordLocalFixture.java:"), holds.toString());
        assertNotNull(holds.get(lock));
        assertEquals(Map.of(), confirmedHolds(), "the monitors' entries are popped on return");

        InvocationTargetException e = assertThrows(InvocationTargetException.class,
                () -> method.invoke(target, monitor, lock, (Runnable) () -> {
                    throw new IllegalStateException("inside");
                }));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(Map.of(), confirmedHolds(), "and when an exception leaves the method");
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** The calling thread's recorded holds that the JDK (or, for monitors, the JVM) confirms, with their sites. */
    private static Map<Object, String> confirmedHolds() {
        int max = ThreadRecord.maxHeld();
        Object[] locks = new Object[max];
        int[] sites = new int[max];
        byte[] modes = new byte[max];
        int n = Registry.current().copyHolds(locks, sites, modes);
        Map<Object, String> holds = new HashMap<>();
        for (int i = 0; i < n; i++) {
            boolean held = modes[i] == ThreadRecord.MONITOR ? Thread.holdsLock(locks[i])
                    : ((ReentrantLock) locks[i]).isHeldByCurrentThread();
            if (held) {
                holds.put(locks[i], SITES.describe(sites[i]));
            }
        }
        return holds;
    }

    private static byte[] rewrite(boolean monitors) throws IOException {
        byte[] original;
        try (InputStream in = RecordLocalFixture.class.getResourceAsStream("RecordLocalFixture.class")) {
            original = in.readAllBytes();
        }
        byte[] rewritten = new CallSiteRewriter(SITES, (name, t) -> {
            throw new AssertionError("rewrite error in " + name, t);
        }, monitors).rewrite(RecordLocalTest.class.getClassLoader(), original);
        assertNotNull(rewritten);
        return rewritten;
    }

    /** The rewritten fixture, defined (and so verified) by a loader of its own. */
    private static Class<?> load(boolean monitors) throws Exception {
        byte[] bytes = rewrite(monitors);
        ClassLoader loader = new CallSiteRewriterTest.OneClassLoader(FIXTURE, bytes);
        Class<?> c = loader.loadClass(FIXTURE);
        assertNotEquals(RecordLocalFixture.class, c);
        return c;
    }

    /** Per method, how many calls of {@code CallSites.<name>} it makes. */
    private static Map<String, Integer> callsOf(byte[] classfile, String name) {
        Map<String, Integer> calls = new HashMap<>();
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String mname, String mdesc, boolean itf) {
                        if (owner.equals("dev/lockwatch/bootstrap/CallSites") && mname.equals(name)) {
                            calls.merge(method, 1, Integer::sum);
                        }
                    }
                };
            }
        }, 0);
        return calls;
    }
}
