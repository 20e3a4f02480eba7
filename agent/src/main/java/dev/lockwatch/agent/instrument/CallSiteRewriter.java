package dev.lockwatch.agent.instrument;

import dev.lockwatch.agent.sites.PerLoader;
import dev.lockwatch.agent.sites.SiteTable;
import dev.lockwatch.bootstrap.CallSites;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Rewrites application call sites of {@code lock}, {@code lockInterruptibly} and {@code tryLock} on {@code Lock},
 * {@code ReentrantLock} and the read/write locks of {@code ReentrantReadWriteLock} into calls of
 * {@link CallSites}, passing an id for the call site (class, method, file, line) that is registered in the
 * {@link SiteTable} at transformation time. The lock call itself is unchanged; the agent learns where each lock
 * was taken without a stack walk on the fast path. {@code unlock} is left alone (see {@link CallSites}).
 *
 * <p>Only classes of application class loaders are rewritten (not the JDK, not the agent), and only when their
 * bytes mention {@code java/util/concurrent/locks/}: other classes are returned untouched without parsing.
 * Only the instruction is swapped and one constant pushed, so no stack map frame changes; max stack is
 * recomputed.
 */
public final class CallSiteRewriter implements ClassFileTransformer {
    private static final byte[] LOCKS_PACKAGE = "java/util/concurrent/locks/".getBytes(StandardCharsets.US_ASCII);
    /** The constant-pool entry of the name {@code wait} (tag 1, length 4): classes that may call Object.wait. */
    private static final byte[] WAIT_NAME = {1, 0, 4, 'w', 'a', 'i', 't'};
    private static final byte[] LINE_NUMBERS = "LineNumberTable".getBytes(StandardCharsets.US_ASCII);
    private static final String CALL_SITES = CallSites.class.getName().replace('.', '/');
    private static final String LOCK = "java/util/concurrent/locks/Lock";
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    private final AtomicInteger rewrittenSites = new AtomicInteger();
    /** Per class loader, by identity: can it see the bootstrap CallSites? Loaders come and go. */
    private final PerLoader<Boolean> visibility = new PerLoader<>();
    private final SiteTable sites;
    private final BiConsumer<String, Throwable> onError;
    /** {@code lockOrder=on}: monitors are recorded too, so every application class is parsed. */
    private final boolean monitors;

    public CallSiteRewriter(SiteTable sites, BiConsumer<String, Throwable> onError) {
        this(sites, onError, false);
    }

    public CallSiteRewriter(SiteTable sites, BiConsumer<String, Throwable> onError, boolean monitors) {
        this.sites = sites;
        this.onError = onError;
        this.monitors = monitors;
    }

    public int rewrittenSites() {
        return rewrittenSites.get();
    }

    /** Whether this class loader's classes are application classes, and so rewritten. */
    public static boolean isApplicationLoader(ClassLoader loader) {
        return loader != null && loader != PLATFORM;
    }

    public static boolean isAgentClass(String internalName) {
        return internalName.startsWith("dev/lockwatch/agent/") || internalName.startsWith("dev/lockwatch/bootstrap/")
                || internalName.startsWith("dev/lockwatch/shaded/");
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (!isApplicationLoader(loader) || (!monitors && !contains(classfileBuffer, LOCKS_PACKAGE)
                && !contains(classfileBuffer, WAIT_NAME))) {
            return null;
        }
        try {
            if (className == null) {
                // defineClass(null, bytes, ...): the name is in the bytes; such classes are rewritten too
                className = new ClassReader(classfileBuffer).getClassName();
            }
            if (isAgentClass(className) || !seesCallSites(loader)) {
                return null;
            }
            byte[] bytes = classfileBuffer;
            if (classBeingRedefined != null && !contains(bytes, LINE_NUMBERS)) {
                // HotSpot reconstitutes an already loaded class without SourceFile and LineNumberTable; the
                // class file itself still has them, and sites need lines.
                byte[] original = originalClassFile(loader, className);
                if (original != null && contains(original, LINE_NUMBERS)) {
                    bytes = original;
                }
            }
            return rewrite(loader, bytes);
        } catch (Throwable t) {
            onError.accept(className == null ? "(a class defined without a name)" : className.replace('/', '.'), t);
            return null;
        }
    }

    /**
     * Whether classes of this loader resolve {@code CallSites} to the bootstrap copy. A loader that only lets
     * {@code java.*} through to its parent (OSGi without boot delegation, JBoss Modules) cannot: rewritten code
     * would throw NoClassDefFoundError in the application, so such classes are left as they are.
     */
    private boolean seesCallSites(ClassLoader loader) {
        Boolean sees;
        synchronized (visibility) { // the rewriter's own lock: application code never takes it
            visibility.purge(null);
            sees = visibility.get(loader);
        }
        if (sees == null) {
            try {
                sees = Class.forName(CallSites.class.getName(), false, loader) == CallSites.class;
            } catch (Throwable t) {
                sees = Boolean.FALSE;
            }
            synchronized (visibility) {
                visibility.put(loader, sees);
            }
        }
        return sees;
    }

    /** The class file as its loader has it (unchanged by any agent), or null. */
    public static byte[] originalClassFile(ClassLoader loader, String internalName) {
        try (java.io.InputStream in = loader.getResourceAsStream(internalName + ".class")) {
            return in == null ? null : in.readAllBytes();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the class file mentions {@code java/util/concurrent/locks/}: only such classes are rewritten. */
    public static boolean mentionsLocks(byte[] classfile) {
        return classfile != null && contains(classfile, LOCKS_PACKAGE);
    }

    /**
     * The rewritten class, or null when it has no lock call site. The class name comes from the bytes, so that a
     * class defined without a name ({@code defineClass(null, ...)}) is rewritten too.
     */
    byte[] rewrite(ClassLoader loader, byte[] classfile) {
        ClassReader reader = new ClassReader(classfile);
        Survey survey = new Survey();
        reader.accept(survey, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        if (survey.operations == 0 && survey.waits == 0) {
            return null;
        }
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        SiteVisitor visitor = new SiteVisitor(writer, loader, survey);
        // A method that keeps the thread's record in a local of its own declares it in every frame: frames are
        // read expanded then (and written back compressed), which only such classes pay for.
        reader.accept(visitor, survey.recordLocals ? ClassReader.EXPAND_FRAMES : 0);
        if (visitor.rewritten == 0 && visitor.monitorWaits == 0) {
            return null;
        }
        rewrittenSites.addAndGet(visitor.rewritten);
        return writer.toByteArray();
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0, last = haystack.length - needle.length; i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static boolean isLockType(int opcode, String owner) {
        if (opcode == Opcodes.INVOKEINTERFACE) {
            return owner.equals(LOCK);
        }
        return opcode == Opcodes.INVOKEVIRTUAL && (owner.equals("java/util/concurrent/locks/ReentrantLock")
                || owner.equals("java/util/concurrent/locks/ReentrantReadWriteLock$ReadLock")
                || owner.equals("java/util/concurrent/locks/ReentrantReadWriteLock$WriteLock"));
    }

    /**
     * The descriptor of the {@link CallSites} method that replaces a call on a {@code Lock}-typed receiver, or
     * null if it is not replaced.
     */
    static String replacement(String name, String descriptor) {
        return replacement(LOCK, name, descriptor);
    }

    /**
     * The descriptor of the {@link CallSites} method that replaces this call: the same parameters with the
     * receiver, typed as at the call site, first and the site id last; or null ({@code unlock} is not replaced).
     */
    static String replacement(String owner, String name, String descriptor) {
        String receiver = "L" + owner + ";";
        String last = "Ljava/lang/Object;I)"; // the method's record, or null (see CallSites#current), and the site
        switch (name + descriptor) {
            case "lock()V":
            case "lockInterruptibly()V":
                return "(" + receiver + last + "V";
            case "tryLock()Z":
                return "(" + receiver + last + "Z";
            case "tryLock(JLjava/util/concurrent/TimeUnit;)Z":
                return "(" + receiver + "JLjava/util/concurrent/TimeUnit;" + last + "Z";
            default:
                return null;
        }
    }

    /** Whether a call is a lock call that is rewritten (a {@link CallSites} method replaces it). */
    static boolean isSite(int opcode, String owner, String name, String descriptor) {
        return isLockType(opcode, owner) && replacement(owner, name, descriptor) != null;
    }

    private static boolean isSynchronizedMethod(boolean monitors, int access) {
        return monitors && (access & Opcodes.ACC_SYNCHRONIZED) != 0 && (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0;
    }

    /** The fewest recorded operations in one method that make it keep the thread's record in a local. */
    static final int RECORD_LOCAL_FROM = 2;

    /**
     * A first, quick read of the class (no frames, no debug information): how many recorded operations each method
     * has, in the order the methods come, and where a local of the rewriter's own would go (the method's
     * {@code max_locals}). A class with none is left alone without being written again.
     */
    private final class Survey extends ClassVisitor {
        /** Per method, in order: the index of its record local, or -1 when it keeps none. */
        final java.util.List<Integer> recordLocal = new java.util.ArrayList<>();
        int operations;
        int waits;
        boolean recordLocals;

        Survey() {
            super(Opcodes.ASM9);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            int index = recordLocal.size();
            recordLocal.add(-1);
            boolean synchronizedMethod = isSynchronizedMethod(monitors, access);
            return new MethodVisitor(Opcodes.ASM9) {
                private int ops = synchronizedMethod ? 1 : 0;

                @Override
                public void visitInsn(int opcode) {
                    if (monitors && (opcode == Opcodes.MONITORENTER || opcode == Opcodes.MONITOREXIT)
                            || synchronizedMethod && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                        ops++;
                    }
                }

                @Override
                public void visitMethodInsn(int opcode, String owner, String mname, String mdesc, boolean itf) {
                    if (isSite(opcode, owner, mname, mdesc)) {
                        ops++;
                    } else if (opcode == Opcodes.INVOKEVIRTUAL && mname.equals("wait") && (mdesc.equals("()V") || mdesc.equals("(J)V"))) {
                        waits++;
                    }
                }

                @Override
                public void visitMaxs(int maxStack, int maxLocals) {
                    operations += ops;
                    if (ops >= RECORD_LOCAL_FROM && maxLocals < 0xFFFF) {
                        recordLocal.set(index, maxLocals);
                        recordLocals = true;
                    }
                }
            };
        }
    }

    private final class SiteVisitor extends ClassVisitor {
        private final ClassLoader loader;
        private final Survey survey;
        private int methods;
        private String internalName;
        private String className;
        private String sourceFile;
        private boolean frames;
        int rewritten;
        /** Object.wait calls replaced (not lock sites: they have no site id). */
        int monitorWaits;

        SiteVisitor(ClassVisitor next, ClassLoader loader, Survey survey) {
            super(Opcodes.ASM9, next);
            this.loader = loader;
            this.survey = survey;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            internalName = name;
            className = name.replace('/', '.');
            frames = (version & 0xFFFF) >= Opcodes.V1_6;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public void visitSource(String source, String debug) {
            sourceFile = source;
            super.visitSource(source, debug);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
            int recordLocal = survey.recordLocal.get(methods++);
            return new Sites(next, name, (access & Opcodes.ACC_STATIC) != 0, isSynchronizedMethod(monitors, access), recordLocal);
        }

        private String site(String method, int line) {
            StackTraceElement frame = new StackTraceElement(className, method, sourceFile, line);
            return frame.toString();
        }

        /**
         * One method: lock calls become {@link CallSites} calls with their site id; with {@code lockOrder=on},
         * {@code monitorenter}/{@code monitorexit} and the monitor of a {@code synchronized} method are recorded too.
         * It also follows what pushed each lock (a field, a static field, {@code this}, a class literal): the lock's
         * key, which means the same in every run (see {@link SiteTable}).
         */
        private final class Sites extends MethodVisitor {
            private final String method;
            private final boolean isStatic;
            private final boolean synchronizedMethod;
            /** The local that keeps the thread's record (see {@link CallSites#current}), or -1. */
            private final int recordLocal;
            private final Label start = new Label();
            private int line = -1;
            /** What pushed the value on top of the stack, when it is a lock's receiver we can name; else null. */
            private String pushed;

            Sites(MethodVisitor next, String method, boolean isStatic, boolean synchronizedMethod, int recordLocal) {
                super(Opcodes.ASM9, next);
                this.method = method;
                this.isStatic = isStatic;
                this.synchronizedMethod = synchronizedMethod;
                this.recordLocal = recordLocal;
            }

            /** Pushes the record argument of an acquisition: the method's record, looked up once and kept. */
            private void pushRecordForAcquisition() {
                if (recordLocal < 0) {
                    super.visitInsn(Opcodes.ACONST_NULL);
                    return;
                }
                super.visitVarInsn(Opcodes.ALOAD, recordLocal);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "current", "(Ljava/lang/Object;)Ljava/lang/Object;", false);
                super.visitInsn(Opcodes.DUP);
                super.visitVarInsn(Opcodes.ASTORE, recordLocal);
            }

            /** Pushes the record argument of a release: the method's record if an acquisition looked it up. */
            private void pushRecordForRelease() {
                if (recordLocal < 0) {
                    super.visitInsn(Opcodes.ACONST_NULL);
                } else {
                    super.visitVarInsn(Opcodes.ALOAD, recordLocal);
                }
            }

            @Override
            public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
                if (recordLocal >= 0 && type == Opcodes.F_NEW) {
                    // The record local is set (to null) before the method's first instruction, so it is an Object
                    // everywhere: declared in every frame, after the method's own locals and TOP up to its slot.
                    int slots = 0;
                    for (int i = 0; i < numLocal; i++) {
                        slots += local[i] == Opcodes.LONG || local[i] == Opcodes.DOUBLE ? 2 : 1;
                    }
                    if (slots > recordLocal) {
                        // More locals than the method declares: the class fails verification as it is; leave the
                        // frame as it is rather than overwrite one of its locals.
                        super.visitFrame(type, numLocal, local, numStack, stack);
                        return;
                    }
                    Object[] locals = new Object[numLocal + (recordLocal - slots) + 1];
                    System.arraycopy(local, 0, locals, 0, numLocal);
                    java.util.Arrays.fill(locals, numLocal, locals.length - 1, Opcodes.TOP);
                    locals[locals.length - 1] = "java/lang/Object";
                    super.visitFrame(type, locals.length, locals, numStack, stack);
                    return;
                }
                super.visitFrame(type, numLocal, local, numStack, stack);
            }

            private String methodKey() {
                return (isStatic ? "class " : "this ") + className;
            }

            private void pushMonitor() {
                if (isStatic) {
                    super.visitLdcInsn(Type.getObjectType(internalName));
                } else {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                }
            }

            @Override
            public void visitCode() {
                super.visitCode();
                if (recordLocal >= 0) {
                    super.visitInsn(Opcodes.ACONST_NULL);
                    super.visitVarInsn(Opcodes.ASTORE, recordLocal);
                }
                if (synchronizedMethod) {
                    // The JVM entered the monitor before the first instruction; its site is the method itself.
                    pushMonitor();
                    pushRecordForAcquisition();
                    super.visitLdcInsn(sites.register(loader, className, site(method, -1), methodKey(), true));
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "monitorEntered", "(Ljava/lang/Object;Ljava/lang/Object;I)V", false);
                    super.visitLabel(start);
                    rewritten++;
                }
            }

            @Override
            public void visitLineNumber(int ln, Label at) {
                line = ln;
                super.visitLineNumber(ln, at);
            }

            @Override
            public void visitInsn(int opcode) {
                if (monitors && opcode == Opcodes.MONITORENTER) {
                    // Recorded just before monitorenter, not after it: a call between monitorenter and the start of
                    // the block's exception range could throw with the monitor held, and then neither C1 nor C2
                    // compiles the method ("cannot parse method"): it ran interpreted, 25x slower. The entry is
                    // read only by its own thread, which holds the monitor whenever it reads it (see
                    // CallSites#monitorEntering).
                    String key = pushed;
                    super.visitInsn(Opcodes.DUP);
                    pushRecordForAcquisition();
                    super.visitLdcInsn(sites.register(loader, className, site(method, line), key));
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "monitorEntering", "(Ljava/lang/Object;Ljava/lang/Object;I)V", false);
                    super.visitInsn(Opcodes.MONITORENTER);
                    rewritten++;
                    pushed = null;
                    return;
                }
                if (monitors && opcode == Opcodes.MONITOREXIT) {
                    super.visitInsn(Opcodes.DUP);
                    pushRecordForRelease();
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "monitorExiting", "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
                } else if (synchronizedMethod && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                    pushMonitor();
                    pushRecordForRelease();
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "monitorExiting", "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
                }
                if (opcode != Opcodes.DUP) {
                    pushed = null; // javac's synchronized (x): push x, dup, astore, monitorenter
                }
                super.visitInsn(opcode);
            }

            @Override
            public void visitVarInsn(int opcode, int var) {
                if (opcode == Opcodes.ALOAD && var == 0 && !isStatic) {
                    pushed = "this " + className;
                } else if (opcode != Opcodes.ASTORE) {
                    pushed = null;
                }
                super.visitVarInsn(opcode, var);
            }

            @Override
            public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
                pushed = opcode == Opcodes.GETFIELD ? "field " + owner.replace('/', '.') + "." + name
                        : opcode == Opcodes.GETSTATIC ? "static " + owner.replace('/', '.') + "." + name : null;
                super.visitFieldInsn(opcode, owner, name, descriptor);
            }

            @Override
            public void visitLdcInsn(Object value) {
                pushed = value instanceof Type && ((Type) value).getSort() == Type.OBJECT ? "class " + ((Type) value).getClassName() : null;
                super.visitLdcInsn(value);
            }

            @Override
            public void visitMethodInsn(int opcode, String owner, String mname, String mdesc, boolean itf) {
                if (opcode == Opcodes.INVOKEVIRTUAL && mname.equals("wait") && (mdesc.equals("()V") || mdesc.equals("(J)V"))) {
                    // Object.wait is final: whatever the receiver's static type, this is the call. HANG reads its monitor.
                    pushed = null;
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "monitorWait",
                            mdesc.equals("()V") ? "(Ljava/lang/Object;)V" : "(Ljava/lang/Object;J)V", false);
                    monitorWaits++;
                    return;
                }
                String target = isLockType(opcode, owner) ? replacement(owner, mname, mdesc) : null;
                if (target == null) {
                    boolean readOrWrite = (mname.equals("readLock") || mname.equals("writeLock")) && mdesc.startsWith("()")
                            && (owner.equals("java/util/concurrent/locks/ReentrantReadWriteLock")
                            || owner.equals("java/util/concurrent/locks/ReadWriteLock"));
                    pushed = readOrWrite && pushed != null ? pushed + " " + mname : null;
                    super.visitMethodInsn(opcode, owner, mname, mdesc, itf);
                    return;
                }
                String key = pushed;
                pushed = null;
                pushRecordForAcquisition();
                super.visitLdcInsn(sites.register(loader, className, site(method, line), key));
                super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, mname, target, false);
                rewritten++;
            }

            @Override
            public void visitIntInsn(int opcode, int operand) {
                pushed = null;
                super.visitIntInsn(opcode, operand);
            }

            @Override
            public void visitTypeInsn(int opcode, String type) {
                pushed = null;
                super.visitTypeInsn(opcode, type);
            }

            @Override
            public void visitJumpInsn(int opcode, Label label) {
                pushed = null;
                super.visitJumpInsn(opcode, label);
            }

            @Override
            public void visitLabel(Label label) {
                pushed = null;
                super.visitLabel(label);
            }

            @Override
            public void visitMaxs(int maxStack, int maxLocals) {
                if (synchronizedMethod) {
                    // An exception leaving the method releases its monitor: appended after the method's own
                    // handlers, and a frame with no locals, valid wherever the method's locals stand.
                    Label end = new Label();
                    Label handler = new Label();
                    super.visitLabel(end);
                    super.visitTryCatchBlock(start, end, handler, null);
                    super.visitLabel(handler);
                    if (frames) {
                        // Expanded frames (a class with record locals) cannot be mixed with compressed ones.
                        super.visitFrame(survey.recordLocals ? Opcodes.F_NEW : Opcodes.F_FULL, 0, new Object[0], 1,
                                new Object[] {"java/lang/Throwable"});
                    }
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "monitorUnwound", "()V", false);
                    super.visitInsn(Opcodes.ATHROW);
                }
                super.visitMaxs(maxStack, maxLocals);
            }
        }
    }
}
