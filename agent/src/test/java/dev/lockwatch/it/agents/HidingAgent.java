package dev.lockwatch.it.agents;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;

/**
 * A stand-in for another agent whose transformation hides a JDK method from Lockwatch: it renames
 * {@code FutureTask.awaitDone} to {@code awaitDune} (the same length, so only one constant-pool entry changes, and
 * the calls in {@code get} use the same entry, so the class still works). Loaded before Lockwatch, its transformer
 * runs first, so Lockwatch never sees a method of that name. Plain JDK code: the child JVM has nothing else.
 */
public final class HidingAgent {
    private HidingAgent() {
    }

    public static void premain(String args, Instrumentation inst) throws Exception {
        inst.addTransformer(new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd,
                                    byte[] classfile) {
                return "java/util/concurrent/FutureTask".equals(className) ? rename(classfile, "awaitDone", "awaitDune") : null;
            }
        }, true);
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getName().equals("java.util.concurrent.FutureTask")) {
                inst.retransformClasses(c);
            }
        }
    }

    /** The class file with the CONSTANT_Utf8 {@code from} replaced by {@code to} (same length), or null if absent. */
    public static byte[] rename(byte[] classfile, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        if (f.length != t.length) {
            throw new IllegalArgumentException("names of different lengths");
        }
        outer:
        for (int i = 0; i + 3 + f.length <= classfile.length; i++) {
            if (classfile[i] != 1 || classfile[i + 1] != 0 || (classfile[i + 2] & 0xff) != f.length) {
                continue;
            }
            for (int j = 0; j < f.length; j++) {
                if (classfile[i + 3 + j] != f[j]) {
                    continue outer;
                }
            }
            byte[] out = classfile.clone();
            System.arraycopy(t, 0, out, i + 3, t.length);
            return out;
        }
        return null;
    }
}
