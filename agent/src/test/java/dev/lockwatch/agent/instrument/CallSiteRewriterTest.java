package dev.lockwatch.agent.instrument;

import dev.lockwatch.agent.sites.SiteTable;
import dev.lockwatch.bootstrap.CallSites;
import dev.lockwatch.bootstrap.Registry;
import dev.lockwatch.bootstrap.ThreadRecord;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class CallSiteRewriterTest {
    private static final String FIXTURE = LockCallSites.class.getName();
    private static final String CALL_SITES = "dev/lockwatch/bootstrap/CallSites";
    private static final String LOCKS = "java/util/concurrent/locks/";
    /** The calls the rewriter replaces; {@code unlock} is left as it is. */
    private static final Set<String> LOCK_METHODS = Set.of("lock", "lockInterruptibly", "tryLock");
    private static final SiteTable SITES = new SiteTable();
    private static final ClassLoader LOADER = CallSiteRewriterTest.class.getClassLoader();

    // ---- contains, isLockType, replacement --------------------------------------------------------------

    @Test
    void containsFindsTheNeedleAtTheStartMiddleAndEnd() {
        byte[] needle = ascii(LOCKS);

        assertTrue(CallSiteRewriter.contains(ascii(LOCKS + "Lock"), needle));
        assertTrue(CallSiteRewriter.contains(ascii("Ljava/util/concurrent/locks/Lock;"), needle));
        assertTrue(CallSiteRewriter.contains(ascii("xx" + LOCKS), needle));
        assertTrue(CallSiteRewriter.contains(needle, needle));
    }

    @Test
    void containsRejectsNearMissesAndShortHaystacks() {
        byte[] needle = ascii(LOCKS);

        assertFalse(CallSiteRewriter.contains(ascii("java/util/concurrent/Lock"), needle));
        assertFalse(CallSiteRewriter.contains(ascii("xxjava/util/concurrent/locks"), needle), "cut at the end");
        assertFalse(CallSiteRewriter.contains(ascii("java/util/concurrent/LOCKS/"), needle));
        assertFalse(CallSiteRewriter.contains(new byte[0], needle));
        assertFalse(CallSiteRewriter.contains(ascii("java/"), needle));
    }

    @Test
    void isLockTypeAcceptsTheLockInterfaceAndTheJdkLockClasses() {
        assertTrue(CallSiteRewriter.isLockType(Opcodes.INVOKEINTERFACE, LOCKS + "Lock"));
        assertTrue(CallSiteRewriter.isLockType(Opcodes.INVOKEVIRTUAL, LOCKS + "ReentrantLock"));
        assertTrue(CallSiteRewriter.isLockType(Opcodes.INVOKEVIRTUAL, LOCKS + "ReentrantReadWriteLock$ReadLock"));
        assertTrue(CallSiteRewriter.isLockType(Opcodes.INVOKEVIRTUAL, LOCKS + "ReentrantReadWriteLock$WriteLock"));
    }

    @Test
    void isLockTypeRejectsOtherOwnersAndOtherInvocationKinds() {
        assertFalse(CallSiteRewriter.isLockType(Opcodes.INVOKEINTERFACE, LOCKS + "ReadWriteLock"));
        assertFalse(CallSiteRewriter.isLockType(Opcodes.INVOKEINTERFACE, "com/example/Lock"));
        assertFalse(CallSiteRewriter.isLockType(Opcodes.INVOKEVIRTUAL, LOCKS + "Lock"));
        assertFalse(CallSiteRewriter.isLockType(Opcodes.INVOKEVIRTUAL, LOCKS + "StampedLock"));
        assertFalse(CallSiteRewriter.isLockType(Opcodes.INVOKEVIRTUAL, "com/example/MyReentrantLock"));
        // super.lock() in a subclass must stay a direct call: a virtual call from CallSites would recurse.
        assertFalse(CallSiteRewriter.isLockType(Opcodes.INVOKESPECIAL, LOCKS + "ReentrantLock"));
        assertFalse(CallSiteRewriter.isLockType(Opcodes.INVOKESTATIC, LOCKS + "ReentrantLock"));
    }

    @Test
    void replacementAddsTheLockAsFirstAndTheSiteIdAsLastParameter() {
        String lock = "Ljava/util/concurrent/locks/Lock;";
        assertEquals("(" + lock + "Ljava/lang/Object;I)V", CallSiteRewriter.replacement("lock", "()V"));
        assertEquals("(" + lock + "Ljava/lang/Object;I)V", CallSiteRewriter.replacement("lockInterruptibly", "()V"));
        assertEquals("(" + lock + "Ljava/lang/Object;I)Z", CallSiteRewriter.replacement("tryLock", "()Z"));
        assertEquals("(" + lock + "JLjava/util/concurrent/TimeUnit;Ljava/lang/Object;I)Z",
                CallSiteRewriter.replacement("tryLock", "(JLjava/util/concurrent/TimeUnit;)Z"));
        assertNull(CallSiteRewriter.replacement("unlock", "()V"), "unlock is not rewritten: the JDK records the release");
    }

    @Test
    void replacementIsNullForEveryOtherMethod() {
        assertNull(CallSiteRewriter.replacement("newCondition", "()Ljava/util/concurrent/locks/Condition;"));
        assertNull(CallSiteRewriter.replacement("isHeldByCurrentThread", "()Z"));
        assertNull(CallSiteRewriter.replacement("lock", "(J)V"));
        assertNull(CallSiteRewriter.replacement("tryLock", "(J)Z"));
        assertNull(CallSiteRewriter.replacement("unlock", "(I)V"));
    }

    @Test
    void replacementKeepsTheStaticReceiverTypeSoEachHelperCallSiteStaysMonomorphic() {
        assertEquals("(L" + LOCKS + "ReentrantLock;Ljava/lang/Object;I)V", CallSiteRewriter.replacement(LOCKS + "ReentrantLock", "lock", "()V"));
        assertEquals("(L" + LOCKS + "ReentrantReadWriteLock$ReadLock;Ljava/lang/Object;I)V",
                CallSiteRewriter.replacement(LOCKS + "ReentrantReadWriteLock$ReadLock", "lock", "()V"));
    }

    @Test
    void everyReplacementIsAPublicStaticMethodOfCallSites() {
        String[][] calls = {{"lock", "()V"}, {"lockInterruptibly", "()V"}, {"tryLock", "()Z"},
                {"tryLock", "(JLjava/util/concurrent/TimeUnit;)Z"}};
        String[] owners = {LOCKS + "Lock", LOCKS + "ReentrantLock", LOCKS + "ReentrantReadWriteLock$ReadLock",
                LOCKS + "ReentrantReadWriteLock$WriteLock"};
        for (String[] call : calls) for (String owner : owners) {
            String descriptor = CallSiteRewriter.replacement(owner, call[0], call[1]);
            boolean found = false;
            for (Method m : CallSites.class.getMethods()) {
                found |= m.getName().equals(call[0]) && Type.getMethodDescriptor(m).equals(descriptor)
                        && Modifier.isStatic(m.getModifiers());
            }
            assertTrue(found, "CallSites." + call[0] + descriptor + " must exist, or rewritten code fails to link");
        }
    }

    // ---- rewrite: the bytecode --------------------------------------------------------------------------

    @Test
    void rewriteRoutesEveryLockCallThroughCallSitesWithTheSiteIdPushedFirst() throws IOException {
        byte[] original = classBytes(LockCallSites.class);
        CallSiteRewriter rewriter = new CallSiteRewriter(SITES, CallSiteRewriterTest::failOnError);

        byte[] rewritten = rewriter.rewrite(LOADER, original);

        assertNotNull(rewritten);
        List<Call> before = scan(original).stream()
                .filter(c -> CallSiteRewriter.isLockType(c.opcode, c.owner) && LOCK_METHODS.contains(c.name))
                .collect(Collectors.toList());
        List<Call> after = scan(rewritten);
        for (Call c : after) {
            assertFalse(c.owner.startsWith(LOCKS) && LOCK_METHODS.contains(c.name), "call left in place: " + c);
        }
        List<Call> routed = after.stream().filter(c -> c.owner.equals(CALL_SITES)).collect(Collectors.toList());
        assertEquals(before.size(), routed.size(), "one CallSites call per lock call: " + routed);
        assertEquals(routed.size(), rewriter.rewrittenSites());
        assertEquals(Set.of("lockThenUnlock", "readLockThenUnlock", "tryLockWithTimeout"),
                routed.stream().map(c -> c.inMethod).collect(Collectors.toSet()));
        assertEquals(scan(original).stream().filter(c -> c.name.equals("unlock")).count(),
                after.stream().filter(c -> c.name.equals("unlock") && c.owner.startsWith(LOCKS)).count(),
                "every unlock stays the JDK's own call");

        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < routed.size(); i++) {
            Call was = before.get(i);
            Call now = routed.get(i);
            assertEquals(Opcodes.INVOKESTATIC, now.opcode, now.toString());
            assertEquals(was.name, now.name, now.toString());
            assertEquals(was.inMethod, now.inMethod, now.toString());
            assertEquals(CallSiteRewriter.replacement(was.owner, was.name, was.descriptor), now.descriptor, now.toString());
            assertNotNull(now.pushedInt, "site id constant right before " + now);
            assertTrue(ids.add(now.pushedInt), "each site its own id: " + routed);
            assertEquals(FIXTURE + "." + was.inMethod + "(LockCallSites.java:" + was.line + ")",
                    SITES.describe(now.pushedInt), now.toString());
        }
        assertEquals(Type.getMethodDescriptor(Type.BOOLEAN_TYPE, Type.getType(java.util.concurrent.locks.Lock.class),
                        Type.LONG_TYPE, Type.getType(TimeUnit.class), Type.getType(Object.class), Type.INT_TYPE),
                routed.stream().filter(c -> c.name.equals("tryLock")).findFirst().orElseThrow().descriptor);
    }

    @Test
    void rewriteReturnsNullForAClassThatMentionsLocksButCallsNoLockMethod() throws IOException {
        byte[] bytes = classBytes(LockUseWithoutLockCalls.class);
        CallSiteRewriter rewriter = new CallSiteRewriter(SITES, CallSiteRewriterTest::failOnError);
        assertTrue(CallSiteRewriter.contains(bytes, ascii(LOCKS)), "the fixture must get past the byte filter");

        assertNull(rewriter.rewrite(LOADER, bytes));
        assertEquals(0, rewriter.rewrittenSites());
    }

    @Test
    void rewriteReturnsNullForAClassWithoutLocks() throws IOException {
        byte[] bytes = classBytes(NoLocks.class);
        CallSiteRewriter rewriter = new CallSiteRewriter(SITES, CallSiteRewriterTest::failOnError);

        assertNull(rewriter.rewrite(LOADER, bytes));
        assertEquals(0, rewriter.rewrittenSites());
    }

    // ---- rewrite: the rewritten class still runs, and records its sites ---------------------------------

    @Test
    void rewrittenReentrantLockCallLocksUnlocksAndRecordsItsSite() throws Exception {
        Class<?> rewritten = loadRewritten();
        SiteRecordingLock lock = new SiteRecordingLock();
        AtomicBoolean heldInside = new AtomicBoolean();
        AtomicReference<Hold> holdInside = new AtomicReference<>();

        rewritten.getMethod("lockThenUnlock", ReentrantLock.class, Runnable.class).invoke(null, lock,
                (Runnable) () -> {
                    heldInside.set(lock.isHeldByCurrentThread());
                    holdInside.set(holdOf(lock));
                });

        assertTrue(heldInside.get(), "the lock is held inside");
        assertFalse(lock.isLocked(), "and released after");
        assertCalledThroughCallSitesFrom(rewritten, lock.caller);
        assertNotNull(holdInside.get(), "CallSites recorded the hold in the thread's record");
        assertEquals(ThreadRecord.EXCLUSIVE, holdInside.get().mode);
        assertEquals(siteOf(lock.caller.fixtureFrame), SITES.describe(holdInside.get().site));
        assertNull(holdOf(lock), "once released, the JDK no longer confirms the recorded hold");
    }

    @Test
    void rewrittenReadLockCallLocksUnlocksAndRecordsItsSite() throws Exception {
        Class<?> rewritten = loadRewritten();
        ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        SiteRecordingReadLock lock = new SiteRecordingReadLock(rw);
        AtomicReference<Integer> readersInside = new AtomicReference<>();
        AtomicReference<Hold> holdInside = new AtomicReference<>();

        rewritten.getMethod("readLockThenUnlock", ReentrantReadWriteLock.ReadLock.class, Runnable.class)
                .invoke(null, lock, (Runnable) () -> {
                    readersInside.set(rw.getReadHoldCount());
                    holdInside.set(holdOf(lock));
                });

        assertEquals(1, readersInside.get(), "the read lock is held inside");
        assertEquals(0, rw.getReadLockCount(), "and released after");
        assertCalledThroughCallSitesFrom(rewritten, lock.caller);
        assertNotNull(holdInside.get(), "CallSites recorded the hold in the thread's record");
        assertEquals(ThreadRecord.READ, holdInside.get().mode);
        assertEquals(siteOf(lock.caller.fixtureFrame), SITES.describe(holdInside.get().site));
        assertNull(holdOf(lock), "once released, the JDK no longer confirms the recorded hold");
    }

    @Test
    void rewrittenTimedTryLockLocksUnlocksAndRecordsItsSite() throws Exception {
        Class<?> rewritten = loadRewritten();
        SiteRecordingLock lock = new SiteRecordingLock();
        AtomicBoolean heldInside = new AtomicBoolean();
        AtomicReference<Hold> holdInside = new AtomicReference<>();

        Object locked = rewritten.getMethod("tryLockWithTimeout", java.util.concurrent.locks.Lock.class, long.class,
                Runnable.class).invoke(null, lock, 1000L, (Runnable) () -> {
                    heldInside.set(lock.isHeldByCurrentThread());
                    holdInside.set(holdOf(lock));
                });

        assertEquals(true, locked);
        assertTrue(heldInside.get(), "the lock is held inside");
        assertFalse(lock.isLocked(), "and released after");
        assertCalledThroughCallSitesFrom(rewritten, lock.caller);
        assertNotNull(holdInside.get(), "CallSites recorded the hold in the thread's record");
        assertEquals(siteOf(lock.caller.fixtureFrame), SITES.describe(holdInside.get().site));
        assertNull(holdOf(lock));
    }

    @Test
    void rewrittenTimedTryLockThatTimesOutRecordsNoHold() throws Exception {
        Class<?> rewritten = loadRewritten();
        SiteRecordingLock lock = new SiteRecordingLock();
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            lock.lock();
            try {
                taken.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }, "holder");
        other.start();
        try {
            assertTrue(taken.await(5, TimeUnit.SECONDS));

            Object locked = rewritten.getMethod("tryLockWithTimeout", java.util.concurrent.locks.Lock.class,
                    long.class, Runnable.class).invoke(null, lock, 1L, (Runnable) () -> fail("must not run"));

            assertEquals(false, locked);
            assertNull(holdOf(lock), "a failed tryLock records nothing");
        } finally {
            release.countDown();
            other.join(5000);
        }
    }

    @Test
    void rewrittenClassStillUnlocksAndDropsTheHoldWhenTheBodyThrows() throws Exception {
        Class<?> rewritten = loadRewritten();
        SiteRecordingLock lock = new SiteRecordingLock();
        IllegalStateException boom = new IllegalStateException("boom");

        InvocationTargetException e = assertThrows(InvocationTargetException.class,
                () -> rewritten.getMethod("lockThenUnlock", ReentrantLock.class, Runnable.class).invoke(null, lock,
                        (Runnable) () -> {
                            throw boom;
                        }));

        assertSame(boom, e.getCause());
        assertFalse(lock.isLocked(), "the unlock on the exception path still runs");
        assertNull(holdOf(lock), "and the recorded hold is no longer confirmed");
    }

    // ---- transform: what is rewritten ---------------------------------------------------------------------

    @Test
    void transformRewritesAnApplicationClass() throws IOException {
        CallSiteRewriter rewriter = new CallSiteRewriter(SITES, CallSiteRewriterTest::failOnError);

        assertNotNull(rewriter.transform(getClass().getClassLoader(), "com/example/Bank", null, null,
                classBytes(LockCallSites.class)));
    }

    @Test
    void transformLeavesBootstrapAndPlatformClassesAlone() throws IOException {
        CallSiteRewriter rewriter = new CallSiteRewriter(SITES, CallSiteRewriterTest::failOnError);
        byte[] bytes = classBytes(LockCallSites.class);

        assertNull(rewriter.transform(null, "com/example/Bank", null, null, bytes));
        assertNull(rewriter.transform(ClassLoader.getPlatformClassLoader(), "com/example/Bank", null, null, bytes));
        assertFalse(CallSiteRewriter.isApplicationLoader(null));
        assertFalse(CallSiteRewriter.isApplicationLoader(ClassLoader.getPlatformClassLoader()));
        assertTrue(CallSiteRewriter.isApplicationLoader(ClassLoader.getSystemClassLoader()));
    }

    @Test
    void transformLeavesTheAgentsOwnClassesAlone() throws IOException {
        CallSiteRewriter rewriter = new CallSiteRewriter(SITES, CallSiteRewriterTest::failOnError);
        byte[] bytes = classBytes(LockCallSites.class);
        ClassLoader app = getClass().getClassLoader();

        assertNull(rewriter.transform(app, "dev/lockwatch/agent/instrument/LockCallSites", null, null, bytes));
        assertNull(rewriter.transform(app, "dev/lockwatch/bootstrap/CallSites", null, null, bytes));
        assertNull(rewriter.transform(app, "dev/lockwatch/shaded/bytebuddy/Foo", null, null, bytes));
        assertNull(rewriter.transform(app, null, null, null, bytes), "a class without a name is named by its bytes");
        assertEquals(0, rewriter.rewrittenSites());
    }

    /** Issue 10, item 12: classes defined with a null name ({@code defineClass(null, bytes, ...)}) were never rewritten. */
    @Test
    void aClassDefinedWithoutANameIsRewrittenUnderTheNameInItsBytes() throws IOException {
        CallSiteRewriter rewriter = new CallSiteRewriter(SITES, CallSiteRewriterTest::failOnError);
        ClassReader reader = new ClassReader(classBytes(LockCallSites.class));
        net.bytebuddy.jar.asm.ClassWriter writer = new net.bytebuddy.jar.asm.ClassWriter(0);
        reader.accept(new net.bytebuddy.jar.asm.commons.ClassRemapper(writer,
                new net.bytebuddy.jar.asm.commons.SimpleRemapper(FIXTURE.replace('.', '/'), "com/example/Anonymous")), 0);

        byte[] rewritten = rewriter.transform(getClass().getClassLoader(), null, null, null, writer.toByteArray());

        assertNotNull(rewritten);
        assertTrue(scan(rewritten).stream().anyMatch(c -> c.owner.equals(CALL_SITES)));
        assertTrue(SITES.describe(scan(rewritten).stream().filter(c -> c.owner.equals(CALL_SITES)).findFirst()
                .orElseThrow().pushedInt).startsWith("com.example.Anonymous.lockThenUnlock("));
    }

    @Test
    void transformSkipsBytesWithoutTheLocksPackageWithoutParsingThem() {
        List<String> errors = new ArrayList<>();
        CallSiteRewriter rewriter = new CallSiteRewriter(SITES, (name, t) -> errors.add(name));

        assertNull(rewriter.transform(getClass().getClassLoader(), "com/example/Garbage", null, null,
                ascii("not a class file")));
        assertEquals(List.of(), errors, "not parsed, so no error");
    }

    @Test
    void transformReportsAClassItCannotParseAndLeavesItUnchanged() {
        List<String> errors = new ArrayList<>();
        CallSiteRewriter rewriter = new CallSiteRewriter(SITES, (name, t) -> errors.add(name + ": " + (t != null)));

        assertNull(rewriter.transform(getClass().getClassLoader(), "com/example/Broken", null, null,
                ascii("not a class file, though it says " + LOCKS + "Lock")));
        assertEquals(List.of("com.example.Broken: true"), errors);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** Input with no lock type at all. */
    static final class NoLocks {
        int add(int a, int b) {
            return a + b;
        }
    }

    private static void failOnError(String className, Throwable t) {
        throw new AssertionError("rewrite error in " + className, t);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] classBytes(Class<?> c) throws IOException {
        String resource = c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            return in.readAllBytes();
        }
    }

    private static Class<?> loadRewritten() throws Exception {
        byte[] rewritten = new CallSiteRewriter(SITES, CallSiteRewriterTest::failOnError)
                .rewrite(LOADER, classBytes(LockCallSites.class));
        assertNotNull(rewritten);
        Class<?> c = new OneClassLoader(FIXTURE, rewritten).loadClass(FIXTURE);
        assertTrue(c != LockCallSites.class && c.getName().equals(FIXTURE), "a fresh copy of the fixture");
        return c;
    }

    /** The JVM's own name for a frame: class, method, file and line, as CallSites describes a site. */
    private static String siteOf(StackWalker.StackFrame f) {
        return f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")";
    }

    private static void assertCalledThroughCallSitesFrom(Class<?> rewritten, Caller caller) {
        assertNotNull(caller, "the lock was asked for");
        assertEquals(CallSites.class.getName(), caller.immediate, "the lock call goes through CallSites");
        assertSame(rewritten, caller.fixtureFrame.getDeclaringClass(), "from the rewritten copy");
    }

    private record Hold(int site, byte mode) {
    }

    /**
     * The calling thread's most recent recorded hold of {@code lock} that the JDK confirms (as the watchdog checks
     * holds: a release is not recorded), or null.
     */
    private static Hold holdOf(Object lock) {
        int max = ThreadRecord.maxHeld();
        Object[] locks = new Object[max];
        int[] sites = new int[max];
        byte[] modes = new byte[max];
        int n = Registry.current().copyHolds(locks, sites, modes);
        for (int i = n - 1; i >= 0; i--) {
            if (locks[i] == lock && stillHeld(lock)) {
                return new Hold(sites[i], modes[i]);
            }
        }
        return null;
    }

    private static boolean stillHeld(Object lock) {
        if (lock instanceof ReentrantLock) {
            return ((ReentrantLock) lock).isHeldByCurrentThread();
        }
        return lock instanceof SiteRecordingReadLock && ((SiteRecordingReadLock) lock).rw.getReadHoldCount() > 0;
    }

    private record Caller(String immediate, StackWalker.StackFrame fixtureFrame) {
    }

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /**
     * Who asked for the lock: the first frame outside this test class, and the fixture's frame; null when the
     * fixture did not ask (a helper thread of the test).
     */
    private static Caller caller() {
        List<StackWalker.StackFrame> frames = WALKER.walk(s -> s
                .dropWhile(f -> f.getDeclaringClass().getNestHost() == CallSiteRewriterTest.class)
                .collect(Collectors.toList()));
        return frames.stream().filter(f -> f.getClassName().equals(FIXTURE)).findFirst()
                .map(fixture -> new Caller(frames.get(0).getClassName(), fixture))
                .orElse(null);
    }

    /** A ReentrantLock that remembers who asked for it, as the JVM numbers the asking frame. */
    private static final class SiteRecordingLock extends ReentrantLock {
        volatile Caller caller;

        @Override
        public void lock() {
            caller = caller();
            super.lock();
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            caller = caller();
            return super.tryLock(time, unit);
        }
    }

    private static final class SiteRecordingReadLock extends ReentrantReadWriteLock.ReadLock {
        final ReentrantReadWriteLock rw;
        volatile Caller caller;

        SiteRecordingReadLock(ReentrantReadWriteLock rw) {
            super(rw);
            this.rw = rw;
        }

        @Override
        public void lock() {
            caller = caller();
            super.lock();
        }
    }

    /** Defines one class from given bytes; everything else comes from the test class path. */
    static final class OneClassLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        OneClassLoader(String name, byte[] bytes) {
            super("rewritten", CallSiteRewriterTest.class.getClassLoader());
            this.name = name;
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            if (!className.equals(name)) {
                return super.loadClass(className, resolve);
            }
            synchronized (getClassLoadingLock(className)) {
                Class<?> c = findLoadedClass(className);
                return c != null ? c : defineClass(className, bytes, 0, bytes.length);
            }
        }
    }

    /** One method call in a class file, with the line it is on and the int constant pushed right before it. */
    private record Call(String inMethod, int opcode, String owner, String name, String descriptor, int line,
                        Integer pushedInt) {
    }

    private static List<Call> scan(byte[] classfile) {
        List<Call> calls = new ArrayList<>();
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String desc, String sig, String[] ex) {
                return new CallScanner(method, calls);
            }
        }, 0);
        return calls;
    }

    /** Tracks the last instruction only as far as needed: was it an int constant, and which. */
    private static final class CallScanner extends MethodVisitor {
        private final String method;
        private final List<Call> calls;
        private int line = -1;
        private Integer lastInt;

        CallScanner(String method, List<Call> calls) {
            super(Opcodes.ASM9);
            this.method = method;
            this.calls = calls;
        }

        @Override
        public void visitLineNumber(int ln, Label start) {
            line = ln;
        }

        @Override
        public void visitInsn(int opcode) {
            lastInt = opcode >= Opcodes.ICONST_M1 && opcode <= Opcodes.ICONST_5 ? opcode - Opcodes.ICONST_0 : null;
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            lastInt = opcode == Opcodes.NEWARRAY ? null : operand;
        }

        @Override
        public void visitLdcInsn(Object value) {
            lastInt = value instanceof Integer ? (Integer) value : null;
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            calls.add(new Call(method, opcode, owner, name, desc, line, lastInt));
            lastInt = null;
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            lastInt = null;
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            lastInt = null;
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String desc) {
            lastInt = null;
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String desc, Handle bsm, Object... bsmArgs) {
            lastInt = null;
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            lastInt = null;
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            lastInt = null;
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            lastInt = null;
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            lastInt = null;
        }

        @Override
        public void visitMultiANewArrayInsn(String desc, int dims) {
            lastInt = null;
        }
    }
}
