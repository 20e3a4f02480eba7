package dev.lockwatch.agent.sites;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.lockwatch.agent.sites.MonitorLines.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Class files javac does not write, built here: a line table with two entries at one offset, and monitor stacks
 * that cannot be followed.
 */
class MonitorLinesGeneratedCodeTest {
    private static final String NAME = "dev/lockwatch/agent/sites/Generated";

    /**
     * HotSpot takes the first entry at an instruction's own offset and the last one of the nearest offset before
     * it; MonitorLines must read lines the way stack traces show them.
     */
    @Test
    void twoLineEntriesAtOneOffsetAreReadAsHotSpotReadsThem() throws Exception {
        byte[] classFile = generated(mv -> {
            // static void run(Object lock, Runnable probe)
            Label start = new Label();
            Label enter = new Label();
            mv.visitLabel(start);
            mv.visitLineNumber(29, start);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitInsn(Opcodes.DUP);
            mv.visitVarInsn(Opcodes.ASTORE, 2);
            mv.visitLabel(enter);
            mv.visitLineNumber(30, enter);
            mv.visitLineNumber(31, enter);
            mv.visitInsn(Opcodes.MONITORENTER); // line 30: an entry starts here
            mv.visitVarInsn(Opcodes.ALOAD, 1); // line 31: the last entry of the offset before
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/lang/Runnable", "run", "()V", true);
            mv.visitVarInsn(Opcodes.ALOAD, 2);
            mv.visitInsn(Opcodes.MONITOREXIT);
            mv.visitInsn(Opcodes.RETURN);
        });
        AtomicInteger probeLine = new AtomicInteger();
        Runnable probe = () -> StackWalker.getInstance()
                .walk(s -> s.filter(f -> f.getMethodName().equals("run") && f.getClassName().endsWith("Generated"))
                        .findFirst())
                .ifPresent(f -> probeLine.set(f.getLineNumber()));
        Method run = new GeneratedLoader().define(classFile).getDeclaredMethod("run", Object.class, Runnable.class);
        run.invoke(null, new Object(), probe);
        assertEquals(31, probeLine.get(), "the line the JVM shows for the call");

        MonitorLines lines = MonitorLines.of(classFile);
        assertEquals(30, lines.acquiredAt("run", 31, 0));
        assertEquals(UNKNOWN, lines.acquiredAt("run", 30, 0), "nothing is held on line 30");
        assertEquals(UNKNOWN, lines.acquiredAtWhileEntering("run", 30, 0, 0), "entering, the frame holds nothing");
    }

    @Test
    void unknownWhereStacksDifferAtAJoin() {
        byte[] classFile = generated(mv -> {
            // a monitorenter in a loop with no monitorexit: the loop head is reached holding none and one
            Label head = new Label();
            Label body = new Label();
            mv.visitLabel(head);
            mv.visitLineNumber(10, head);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitInsn(Opcodes.MONITORENTER);
            mv.visitLabel(body);
            mv.visitLineNumber(11, body);
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitJumpInsn(Opcodes.IFNONNULL, head);
            mv.visitInsn(Opcodes.RETURN);
        });
        MonitorLines lines = MonitorLines.of(classFile);

        assertEquals(UNKNOWN, lines.acquiredAt("run", 10, 0));
        assertEquals(UNKNOWN, lines.acquiredAt("run", 11, 0));
        assertEquals(UNKNOWN, lines.acquiredAt("run", 11, 0, 1));
    }

    @Test
    void unknownAfterAMonitorexitWithNothingHeld() {
        byte[] classFile = generated(mv -> {
            Label first = new Label();
            Label second = new Label();
            mv.visitLabel(first);
            mv.visitLineNumber(20, first);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitInsn(Opcodes.DUP);
            mv.visitInsn(Opcodes.MONITORENTER);
            mv.visitInsn(Opcodes.MONITOREXIT);
            mv.visitLabel(second);
            mv.visitLineNumber(21, second);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitInsn(Opcodes.MONITOREXIT);
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/lang/Runnable", "run", "()V", true);
            mv.visitInsn(Opcodes.RETURN);
        });

        assertEquals(UNKNOWN, MonitorLines.of(classFile).acquiredAt("run", 21, 0));
    }

    interface Code {
        void write(MethodVisitor mv);
    }

    /** A class with one method, {@code static void run(Object, Runnable)}. */
    private static byte[] generated(Code code) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, NAME, null,
                "java/lang/Object", null);
        cw.visitSource("Generated.java", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "run",
                "(Ljava/lang/Object;Ljava/lang/Runnable;)V", null, null);
        mv.visitCode();
        code.write(mv);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static final class GeneratedLoader extends ClassLoader {
        GeneratedLoader() {
            super(MonitorLinesGeneratedCodeTest.class.getClassLoader());
        }

        Class<?> define(byte[] classFile) {
            return defineClass(NAME.replace('/', '.'), classFile, 0, classFile.length);
        }
    }
}
