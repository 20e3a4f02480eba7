package dev.lockwatch.demo;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Virtual threads through reflection: the demo is built for Java 17 and runs there, and the virtual-thread
 * scenarios need JDK 21+. Calls go through the public {@code Thread.Builder} interface.
 */
final class VirtualThreads {

    private VirtualThreads() {
    }

    static boolean available() {
        return Runtime.version().feature() >= 21;
    }

    static Thread unstarted(String name, Runnable body) {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            if (name != null) {
                builder = builderType.getMethod("name", String.class).invoke(builder, name);
            }
            Method unstarted = builderType.getMethod("unstarted", Runnable.class);
            return (Thread) unstarted.invoke(builder, body);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
            throw new IllegalStateException("virtual threads need JDK 21+: " + cause, cause);
        }
    }
}
