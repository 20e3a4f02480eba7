package dev.lockwatch.bootstrap;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** Thread facts that differ between JDK 17 (no virtual threads) and JDK 21+. */
public final class Threads {
    private static final MethodHandle IS_VIRTUAL = findIsVirtual();

    private Threads() {
    }

    private static MethodHandle findIsVirtual() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null; // JDK 17-20: every thread is a platform thread
        }
    }

    /** The thread's name, or for an unnamed thread (virtual threads usually are) "virtual#42" / "thread#42". */
    public static String displayName(Thread thread) {
        String name = thread.getName();
        if (name != null && !name.isEmpty()) {
            return name;
        }
        return (isVirtual(thread) ? "virtual#" : "thread#") + thread.getId();
    }

    public static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable t) {
            return false;
        }
    }
}
