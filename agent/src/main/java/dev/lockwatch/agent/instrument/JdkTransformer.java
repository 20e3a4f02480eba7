package dev.lockwatch.agent.instrument;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;

/**
 * Puts the {@link JdkHooks} into the JDK classes they name, as those classes are loaded (or retransformed: the
 * classes already loaded when the agent starts). A plain {@link ClassFileTransformer} matching exact class names:
 * every other class costs one set lookup. Nothing changes the class format (no field, no method added), so the
 * same rewrite applies on a retransformation, by this agent or any other.
 *
 * <p>Why not Byte Buddy's {@code AgentBuilder} with {@code Advice}: for a handful of known JDK methods it loaded
 * about 1,200 classes and cost seconds of CPU at start-up (README, Overhead); ASM, which ships inside Byte Buddy,
 * writes the same few calls.
 */
public final class JdkTransformer implements ClassFileTransformer {
    private final List<JdkHook> hooks;
    private final Set<String> owners = new HashSet<>();
    private final BiConsumer<String, Throwable> onError;
    /**
     * Hooks ("class.method") whose class was transformed but had no such method: another agent's transformation
     * (which runs before this one when that agent was loaded first) renamed or removed it, or the JDK changed it.
     * Those waits are then invisible; the agent's thread says so once per method.
     */
    private final Set<String> notApplied = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<String> notAppliedToTell = new ConcurrentLinkedQueue<>();

    /** {@code permits}: whether the Semaphore classes are hooked too (see {@link JdkHooks#all}). */
    public JdkTransformer(BiConsumer<String, Throwable> onError, boolean permits) {
        this.onError = onError;
        this.hooks = JdkHooks.all(permits);
        for (JdkHook h : hooks) {
            if (h.owner != null) {
                owners.add(h.owner);
            }
        }
    }

    /** The classes (internal names) that have a hook, except those matched by prefix. */
    public Set<String> owners() {
        return owners;
    }

    boolean targets(String className) {
        return owners.contains(className) || className.startsWith(JdkHooks.STAGE_PREFIX);
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (loader != null || className == null || !targets(className)) {
            return null;
        }
        try {
            return rewrite(className, classfileBuffer);
        } catch (Throwable t) {
            onError.accept(className.replace('/', '.'), t);
            return null;
        }
    }

    /** The class with its hooks, or null when none of its methods has one. */
    byte[] rewrite(String className, byte[] classfile) {
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] hooked = {0};
        Set<String> found = new HashSet<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
                if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                    return next;
                }
                for (JdkHook h : hooks) {
                    if (h.matches(className, name, descriptor)) {
                        hooked[0]++;
                        found.add(h.method);
                        return new Hooked(next, h, handlerLocals(className, access, descriptor));
                    }
                }
                return next;
            }
        }, 0);
        for (JdkHook h : hooks) {
            // A method name with several descriptors (one per JDK version) counts as applied when one of them is.
            if (className.equals(h.owner) && !found.contains(h.method)) {
                String hook = className.replace('/', '.') + "." + h.method;
                if (notApplied.add(hook)) {
                    notAppliedToTell.add(hook);
                }
            }
        }
        return hooked[0] == 0 ? null : writer.toByteArray();
    }

    /** Every hook found missing so far ("class.method"), for the start-up line and tests. */
    public Set<String> notApplied() {
        return Set.copyOf(notApplied);
    }

    /** The hooks found missing since the last call, each returned once; for the agent's thread to log. */
    public List<String> takeNotApplied() {
        List<String> out = new ArrayList<>();
        for (String hook; (hook = notAppliedToTell.poll()) != null; ) {
            out.add(hook);
        }
        return out;
    }

    /** A method with a hook: the entry call first, the exit call before each return and in a catch-all handler. */
    private static final class Hooked extends MethodVisitor {
        private final JdkHook hook;
        private final Object[] locals;
        private final Label start = new Label();

        Hooked(MethodVisitor next, JdkHook hook, Object[] locals) {
            super(Opcodes.ASM9, next);
            this.hook = hook;
            this.locals = locals;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            hook.enter(mv);
            if (hook.hasExit()) {
                super.visitLabel(start);
            }
        }

        @Override
        public void visitInsn(int opcode) {
            if (hook.hasExit() && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                hook.exit(mv, true);
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (hook.hasExit()) {
                // Appended after the method's own handlers, so it sees only what would leave the method.
                Label end = new Label();
                Label handler = new Label();
                super.visitLabel(end);
                super.visitTryCatchBlock(start, end, handler, null);
                super.visitLabel(handler);
                super.visitFrame(Opcodes.F_FULL, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
                hook.exit(mv, false);
                super.visitInsn(Opcodes.ATHROW);
            }
            super.visitMaxs(Math.max(maxStack, 1) + hook.stack(), maxLocals);
        }
    }

    /**
     * The locals of the catch-all handler's frame: {@code this} and the parameters, which hold their declared types
     * everywhere in a method (javac never stores another type into a parameter's slot); exit hooks read only these.
     */
    static Object[] handlerLocals(String className, int access, String descriptor) {
        List<Object> locals = new ArrayList<>();
        if ((access & Opcodes.ACC_STATIC) == 0) {
            locals.add(className);
        }
        for (Type t : Type.getArgumentTypes(descriptor)) {
            switch (t.getSort()) {
                case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> locals.add(Opcodes.INTEGER);
                case Type.LONG -> locals.add(Opcodes.LONG);
                case Type.FLOAT -> locals.add(Opcodes.FLOAT);
                case Type.DOUBLE -> locals.add(Opcodes.DOUBLE);
                default -> locals.add(t.getSort() == Type.ARRAY ? t.getDescriptor() : t.getInternalName());
            }
        }
        return locals.toArray();
    }

    /** For tests and the start-up line: the hooks as "class.method". */
    List<String> describe() {
        List<String> out = new ArrayList<>();
        for (JdkHook h : hooks) {
            out.add((h.owner == null ? JdkHooks.STAGE_PREFIX + "*" : h.owner) + "." + h.method);
        }
        return out;
    }
}
