package dev.lockwatch.agent.instrument;

import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * One instrumented JDK method: which class and method, and the call into {@code dev.lockwatch.bootstrap.Registry}
 * to make on entry and on exit. The shape of OpenTelemetry's instrumentations (a type matcher, a method matcher,
 * advice that makes one call into a bootstrap helper), written as the few bytecodes each hook needs: the
 * bootstrap methods never throw, and the inlined code has no lambdas, no string concatenation and no fields.
 *
 * <p>Exit hooks run before every return and, through one catch-all handler appended after the method's own
 * handlers, when an exception leaves the method; the handler's frame has only {@code this} and the parameters, so
 * it verifies wherever the method's other locals stand. Exit hooks only read {@code this} and the class's own fields
 * (enter hooks may read parameters too), and on a normal return a parameter the method never stores to (the
 * semaphore hooks' permit count).
 */
abstract class JdkHook {
    static final String REGISTRY = "dev/lockwatch/bootstrap/Registry";

    /** Internal class name, e.g. {@code java/util/concurrent/FutureTask}. */
    final String owner;
    final String method;
    /** The method descriptor, or null for every method of that name that is not abstract. */
    final String descriptor;

    JdkHook(String owner, String method, String descriptor) {
        this.owner = owner;
        this.method = method;
        this.descriptor = descriptor;
    }

    boolean matches(String className, String name, String desc) {
        return owner.equals(className) && method.equals(name) && (descriptor == null || descriptor.equals(desc));
    }

    /** Emitted at method entry; the operand stack is empty. */
    abstract void enter(MethodVisitor mv);

    /** Whether {@link #exit} runs before returns and when an exception leaves the method. */
    boolean hasExit() {
        return false;
    }

    /** Emitted before each return (the return value on top of the stack, if any) and in the catch-all handler. */
    void exit(MethodVisitor mv, boolean normal) {
    }

    /** The most operand stack slots that {@link #enter} or {@link #exit} push on top of what is there. */
    int stack() {
        return 4;
    }

    static void call(MethodVisitor mv, String name, String descriptor) {
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, REGISTRY, name, descriptor, false);
    }

    static void self(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.ALOAD, 0);
    }
}
