package dev.lockwatch.agent.jdk;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Every live platform thread, as the JVM lists them ({@code Thread.getThreads}, the list behind
 * {@code Thread.getAllStackTraces} without the stacks): no safepoint, no lock the application could hold (unlike
 * walking thread groups), and each thread's state read from its own field. Virtual threads are not listed by the
 * JVM; the registry knows the ones that took a lock or waited.
 */
public final class JdkThreads {
    private final MethodHandle getThreads;

    public JdkThreads() throws ReflectiveOperationException {
        getThreads = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                .findStatic(Thread.class, "getThreads", MethodType.methodType(Thread[].class));
    }

    /** The live platform threads; empty when the JVM cannot say. */
    public Thread[] all() {
        try {
            return (Thread[]) getThreads.invokeExact();
        } catch (Throwable t) {
            return new Thread[0];
        }
    }
}
