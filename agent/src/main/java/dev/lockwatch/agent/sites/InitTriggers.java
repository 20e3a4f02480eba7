package dev.lockwatch.agent.sites;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The classes that a line of a method can make the JVM initialize: the owners of its {@code new},
 * {@code getstatic}, {@code putstatic} and {@code invokestatic} instructions (JVMS 5.5; no other instruction
 * initializes a class). A thread that waits for another thread's static initializer stands, in its top frame, on
 * one of these instructions; a stack trace gives no bytecode index, so every such instruction of the line counts,
 * in every method of that name (a trace does not tell overloads apart).
 *
 * <p>Pure: the class file comes in as bytes, nothing is loaded or run. Never throws: unreadable bytes, or a method or
 * line that is not there, give no class.
 */
public final class InitTriggers {
    private InitTriggers() {
    }

    /** Binary class names ({@code com.example.Outer$Inner}), in the order the instructions come; empty if none. */
    public static Set<String> at(byte[] classFile, String method, int line) {
        Set<String> found = new LinkedHashSet<>();
        if (classFile == null || method == null || line <= 0) {
            return found;
        }
        try {
            // A copy: Byte Buddy's reader may patch the version bytes of a newer class file for a moment, and the
            // caller's array may be shared (ClassBytes' cache).
            new ClassReader(classFile.clone()).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    return name.equals(method) ? new Lines(line, found) : null;
                }
            }, ClassReader.SKIP_FRAMES);
        } catch (RuntimeException e) { // malformed or truncated class file
            found.clear();
        }
        return found;
    }

    /**
     * Collects the owners of the instructions of one line. The line table maps labels to lines, and a label's line
     * is visited after the label itself, so each instruction is kept with the label before it and judged at the
     * end, once every label's line is known (javac emits lines in order, other compilers need not).
     */
    private static final class Lines extends MethodVisitor {
        private final int line;
        private final Set<String> found;
        private final List<Label> labels = new ArrayList<>();
        private final Map<Label, Integer> labelIndex = new IdentityHashMap<>();
        private final List<Integer> lines = new ArrayList<>();
        /** Per instruction of interest: the index in {@link #labels} of the last label before it, or -1. */
        private final List<Integer> at = new ArrayList<>();
        private final List<String> owners = new ArrayList<>();

        Lines(int line, Set<String> found) {
            super(Opcodes.ASM9);
            this.line = line;
            this.found = found;
        }

        @Override
        public void visitLabel(Label label) {
            labelIndex.put(label, labels.size());
            labels.add(label);
            lines.add(null);
        }

        @Override
        public void visitLineNumber(int number, Label start) {
            Integer i = labelIndex.get(start);
            if (i != null) {
                lines.set(i, number);
            }
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            if (opcode == Opcodes.NEW) {
                note(type);
            }
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            if (opcode == Opcodes.GETSTATIC || opcode == Opcodes.PUTSTATIC) {
                note(owner);
            }
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            if (opcode == Opcodes.INVOKESTATIC) {
                note(owner);
            }
        }

        private void note(String owner) {
            at.add(labels.size() - 1);
            owners.add(owner);
        }

        @Override
        public void visitEnd() {
            for (int i = 0; i < owners.size(); i++) {
                if (lineOf(at.get(i)) == line && !owners.get(i).startsWith("[")) {
                    found.add(owners.get(i).replace('/', '.'));
                }
            }
        }

        /** The line in force at label {@code i}: the nearest line entry at or before it. */
        private int lineOf(int i) {
            for (int j = i; j >= 0; j--) {
                Integer n = lines.get(j);
                if (n != null) {
                    return n;
                }
            }
            return -1;
        }
    }
}
