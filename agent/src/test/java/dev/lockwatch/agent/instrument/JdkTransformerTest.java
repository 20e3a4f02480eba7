package dev.lockwatch.agent.instrument;

import dev.lockwatch.bootstrap.Registry;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The JDK hooks against the class files of the JDK that runs the tests (17 and 25 in CI): every hook finds its
 * method, and what it inserts calls only public static methods of the bootstrap {@link Registry} that exist
 * with that descriptor, which is all that code inside {@code java.base} may call.
 */
class JdkTransformerTest {
    private final JdkTransformer transformer = new JdkTransformer((name, t) -> fail("error in " + name, t), true);

    private static byte[] jdkClass(String internalName) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            assertNotNull(in, internalName);
            return in.readAllBytes();
        }
    }

    /** Every invokestatic into Registry, per method, in the rewritten class. */
    private static Map<String, List<String>> registryCalls(byte[] classfile) {
        Map<String, List<String>> calls = new HashMap<>();
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                String method = name + descriptor;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String mname, String mdesc, boolean itf) {
                        if (owner.equals(JdkHook.REGISTRY)) {
                            assertEquals(Opcodes.INVOKESTATIC, opcode);
                            calls.computeIfAbsent(method, k -> new ArrayList<>()).add(mname + mdesc);
                        }
                    }
                };
            }
        }, 0);
        return calls;
    }

    /** permits=off (the default): the Semaphore classes are not rewritten at all, so they cost what they cost. */
    @Test
    void withoutPermitsNoSemaphoreClassIsTouched() throws IOException {
        JdkTransformer off = new JdkTransformer((name, t) -> fail("error in " + name, t), false);
        List<String> semaphore = List.of("java/util/concurrent/Semaphore", "java/util/concurrent/Semaphore$Sync",
                "java/util/concurrent/Semaphore$FairSync", "java/util/concurrent/Semaphore$NonfairSync");
        for (String c : semaphore) {
            assertFalse(off.targets(c), c);
            assertNull(off.transform(null, c, null, null, jdkClass(c)), c);
        }
        assertTrue(transformer.targets("java/util/concurrent/Semaphore$Sync"), "permits=on hooks it");
        assertEquals(Set.of(), off.notApplied());
        assertTrue(off.owners().contains("java/util/concurrent/locks/AbstractQueuedSynchronizer"), "the other hooks stay");
    }

    @Test
    void everyHookedJdkClassIsRewrittenAndCallsOnlyPublicStaticRegistryMethods() throws IOException {
        Set<String> registry = new HashSet<>();
        for (Method m : Registry.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                registry.add(m.getName() + Type.getMethodDescriptor(m));
            }
        }
        List<String> classes = new ArrayList<>(transformer.owners());
        classes.add("java/util/concurrent/CompletableFuture$UniApply"); // a completion, matched by prefix
        for (String owner : classes) {
            byte[] rewritten = transformer.transform(null, owner, null, null, jdkClass(owner));
            assertNotNull(rewritten, owner + " has a hooked method in this JDK");
            Map<String, List<String>> calls = registryCalls(rewritten);
            assertFalse(calls.isEmpty(), owner);
            for (List<String> perMethod : calls.values()) {
                for (String call : perMethod) {
                    assertTrue(registry.contains(call), owner + " calls Registry." + call + ", which is not public static");
                }
            }
        }
    }

    /** Each wait hook begins a wait on entry and ends it on every way out, so a wait never outlives its method. */
    @Test
    void waitHooksEndTheWaitOnReturnAndOnThrow() throws IOException {
        String[][] waits = {
                {JdkHooks.AQS, "acquire", "waitBegin", "waitEnd"},
                {"java/util/concurrent/FutureTask", "awaitDone", "handoffBegin", "handoffEnd"},
                {JdkHooks.STAGE, "waitingGet", "handoffBegin", "handoffEnd"},
        };
        for (String[] w : waits) {
            byte[] rewritten = transformer.transform(null, w[0], null, null, jdkClass(w[0]));
            Map<String, List<String>> calls = registryCalls(rewritten);
            List<String> inMethod = null;
            for (Map.Entry<String, List<String>> e : calls.entrySet()) {
                if (e.getKey().startsWith(w[1] + "(") && e.getValue().get(0).startsWith(w[2])) {
                    inMethod = e.getValue();
                }
            }
            assertNotNull(inMethod, w[0] + "." + w[1]);
            assertTrue(inMethod.get(0).startsWith(w[2]), inMethod.toString());
            long ends = inMethod.stream().filter(c -> c.startsWith(w[3])).count();
            assertTrue(ends >= 2, w[0] + "." + w[1] + " ends its wait before a return and in the handler: " + inMethod);
            assertTrue(lastHandlerCatchesEverything(rewritten, w[1]), w[0] + "." + w[1]
                    + ": the catch-all comes after the method's own handlers");
        }
    }

    private static boolean lastHandlerCatchesEverything(byte[] classfile, String methodName) {
        boolean[] ok = {false};
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                if (!name.equals(methodName)) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    private String lastType = "none";

                    @Override
                    public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
                        lastType = type;
                    }

                    @Override
                    public void visitEnd() {
                        ok[0] |= lastType == null;
                    }
                };
            }
        }, 0);
        return ok[0];
    }

    @Test
    void otherClassesAndApplicationLoadersAreLeftAlone() throws IOException {
        byte[] bytes = jdkClass("java/util/concurrent/FutureTask");
        assertNull(transformer.transform(getClass().getClassLoader(), "java/util/concurrent/FutureTask", null, null, bytes),
                "a class of that name from an application loader is not the JDK's");
        assertNull(transformer.transform(null, "java/util/concurrent/ConcurrentHashMap", null, null,
                jdkClass("java/util/concurrent/ConcurrentHashMap")));
        assertNull(transformer.transform(null, "java/util/concurrent/CompletableFuture$Signaller", null, null,
                jdkClass("java/util/concurrent/CompletableFuture$Signaller")), "the waiter's own completion");
    }
}
