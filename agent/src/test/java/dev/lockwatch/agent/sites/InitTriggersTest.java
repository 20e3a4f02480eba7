package dev.lockwatch.agent.sites;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The classes a line can make the JVM initialize, from hand-built class files. */
class InitTriggersTest {

    /** A class with a static initializer over three lines and two overloads of {@code m} on lines 20 and 21. */
    private static byte[] classFile() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "p/Fixture", null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
        mv.visitCode();
        Label l10 = new Label();
        mv.visitLabel(l10);
        mv.visitLineNumber(10, l10);
        mv.visitFieldInsn(Opcodes.GETSTATIC, "p/Other$Inner", "X", "I");
        mv.visitFieldInsn(Opcodes.PUTSTATIC, "p/Fixture", "Y", "I");
        Label l11 = new Label();
        mv.visitLabel(l11);
        mv.visitLineNumber(11, l11);
        mv.visitTypeInsn(Opcodes.NEW, "p/Made");
        mv.visitInsn(Opcodes.DUP);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, "p/Made", "<init>", "()V", false);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "p/Made", "run", "()V", false); // an instance call: no trigger
        Label mid = new Label(); // a label without a line entry: line 11 goes on
        mv.visitLabel(mid);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "p/Helpers", "help", "()V", false);
        Label l12 = new Label();
        mv.visitLabel(l12);
        mv.visitLineNumber(12, l12);
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitIntInsn(Opcodes.NEWARRAY, Opcodes.T_INT);
        mv.visitFieldInsn(Opcodes.PUTSTATIC, "p/Arrays", "A", "[I");
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        for (int overload = 0; overload < 2; overload++) {
            MethodVisitor m = cw.visitMethod(Opcodes.ACC_STATIC, "m", overload == 0 ? "()V" : "(I)V", null, null);
            m.visitCode();
            Label start = new Label();
            m.visitLabel(start);
            m.visitLineNumber(20 + overload, start);
            m.visitMethodInsn(Opcodes.INVOKESTATIC, overload == 0 ? "p/First" : "p/Second", "go", "()V", false);
            m.visitInsn(Opcodes.RETURN);
            m.visitMaxs(0, 0);
            m.visitEnd();
        }
        cw.visitEnd();
        return cw.toByteArray();
    }

    @Test
    void staticFieldOwnersOfTheLineInTheirOrder() {
        assertEquals(List.of("p.Other$Inner", "p.Fixture"), List.copyOf(InitTriggers.at(classFile(), "<clinit>", 10)));
    }

    @Test
    void newAndStaticCallsCountInstanceCallsDoNot() {
        // The label in the middle of line 11 has no line entry of its own: the static call is still on line 11.
        assertEquals(List.of("p.Made", "p.Helpers"), List.copyOf(InitTriggers.at(classFile(), "<clinit>", 11)));
    }

    @Test
    void onlyTheAskedLine() {
        assertEquals(Set.of("p.Arrays"), InitTriggers.at(classFile(), "<clinit>", 12));
    }

    @Test
    void everyOverloadOfTheNameTakesPart() {
        assertEquals(Set.of("p.First"), InitTriggers.at(classFile(), "m", 20));
        assertEquals(Set.of("p.Second"), InitTriggers.at(classFile(), "m", 21));
    }

    @Test
    void lineEntriesOutOfOrderAreReadByLabel() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "p/Late", null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_STATIC, "run", "()V", null, null);
        mv.visitCode();
        Label first = new Label();
        Label second = new Label();
        mv.visitLabel(first);
        mv.visitFieldInsn(Opcodes.GETSTATIC, "p/A", "X", "I");
        mv.visitInsn(Opcodes.POP);
        mv.visitLabel(second);
        mv.visitFieldInsn(Opcodes.GETSTATIC, "p/B", "X", "I");
        mv.visitInsn(Opcodes.POP);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitLineNumber(7, second); // written after the code, in the other order
        mv.visitLineNumber(5, first);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        byte[] bytes = cw.toByteArray();
        assertEquals(Set.of("p.A"), InitTriggers.at(bytes, "run", 5));
        assertEquals(Set.of("p.B"), InitTriggers.at(bytes, "run", 7));
    }

    @Test
    void nothingForUnknownMethodLineOrBytes() {
        assertTrue(InitTriggers.at(classFile(), "absent", 10).isEmpty());
        assertTrue(InitTriggers.at(classFile(), "<clinit>", 99).isEmpty());
        assertTrue(InitTriggers.at(classFile(), "<clinit>", -1).isEmpty());
        assertTrue(InitTriggers.at(null, "<clinit>", 10).isEmpty());
        assertTrue(InitTriggers.at(new byte[] {(byte) 0xCA, (byte) 0xFE, 1, 2}, "<clinit>", 10).isEmpty());
    }

    @Test
    void aRealClassFileOfJavac() {
        byte[] bytes = ClassBytes.read(Fixture.class);
        int line = Fixture.LINE;
        // invokestatic Needed.value, then putstatic Fixture.VALUE
        assertEquals(List.of(Fixture.Needed.class.getName(), Fixture.class.getName()),
                List.copyOf(InitTriggers.at(bytes, "<clinit>", line + 1)));
    }

    static final class Fixture {
        static final int LINE = new Throwable().getStackTrace()[0].getLineNumber();
        static final int VALUE = Needed.value();

        static final class Needed {
            static int value() {
                return 1;
            }
        }
    }
}
