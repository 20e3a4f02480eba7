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
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        SiteVisitor visitor = new SiteVisitor(writer, loader);
        reader.accept(visitor, 0);
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
        switch (name + descriptor) {
            case "lock()V":
            case "lockInterruptibly()V":
                return "(" + receiver + "I)V";
            case "tryLock()Z":
                return "(" + receiver + "I)Z";
            case "tryLock(JLjava/util/concurrent/TimeUnit;)Z":
                return "(" + receiver + "JLjava/util/concurrent/TimeUnit;I)Z";
            default:
                return null;
        }
    }

    private final class SiteVisitor extends ClassVisitor {
        private final ClassLoader loader;
        private String internalName;
        private String className;
        private String sourceFile;
        private boolean frames;
        int rewritten;
        /** Object.wait calls replaced (not lock sites: they have no site id). */
        int monitorWaits;

        SiteVisitor(ClassVisitor next, ClassLoader loader) {
            super(Opcodes.ASM9, next);
            this.loader = loader;
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
            boolean synchronizedMethod = monitors && (access & Opcodes.ACC_SYNCHRONIZED) != 0
                    && (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0;
            return new Sites(next, name, (access & Opcodes.ACC_STATIC) != 0, synchronizedMethod);
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
            private final Label start = new Label();
            private int line = -1;
            /** What pushed the value on top of the stack, when it is a lock's receiver we can name; else null. */
            private String pushed;

            Sites(MethodVisitor next, String method, boolean isStatic, boolean synchronizedMethod) {
                super(Opcodes.ASM9, next);
                this.method = method;
                this.isStatic = isStatic;
                this.synchronizedMethod = synchronizedMethod;
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
                if (synchronizedMethod) {
                    // The JVM entered the monitor before the first instruction; its site is the method itself.
                    pushMonitor();
                    super.visitLdcInsn(sites.register(loader, className, site(method, -1), methodKey()));
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "monitorEntered", "(Ljava/lang/Object;I)V", false);
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
                    super.visitLdcInsn(sites.register(loader, className, site(method, line), key));
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "monitorEntering", "(Ljava/lang/Object;I)V", false);
                    super.visitInsn(Opcodes.MONITORENTER);
                    rewritten++;
                    pushed = null;
                    return;
                }
                if (monitors && opcode == Opcodes.MONITOREXIT) {
                    super.visitInsn(Opcodes.DUP);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "monitorExiting", "(Ljava/lang/Object;)V", false);
                } else if (synchronizedMethod && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                    pushMonitor();
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "monitorExiting", "(Ljava/lang/Object;)V", false);
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
                        super.visitFrame(Opcodes.F_FULL, 0, new Object[0], 1, new Object[] {"java/lang/Throwable"});
                    }
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, CALL_SITES, "monitorUnwound", "()V", false);
                    super.visitInsn(Opcodes.ATHROW);
                }
                super.visitMaxs(maxStack, maxLocals);
            }
        }
    }
}
