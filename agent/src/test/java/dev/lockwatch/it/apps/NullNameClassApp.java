package dev.lockwatch.it.apps;

import java.io.InputStream;

/**
 * Defines {@link NullNameLocks} with {@code defineClass(null, bytes, ...)}: the name is only in the bytes. Its lock
 * calls must be rewritten like any other class's, so the deadlock it forms names where each lock was taken.
 */
public final class NullNameClassApp {
    private NullNameClassApp() {
    }

    static final class Nameless extends ClassLoader {
        Nameless() {
            super(NullNameClassApp.class.getClassLoader());
        }

        Class<?> define(byte[] b) {
            return defineClass(null, b, 0, b.length);
        }
    }

    public static void main(String[] args) throws Exception {
        byte[] bytes;
        try (InputStream in = NullNameClassApp.class.getResourceAsStream("NullNameLocks.class")) {
            bytes = in.readAllBytes();
        }
        Class<?> c = new Nameless().define(bytes);
        System.out.println("null-name: defined " + c.getName() + " in " + c.getClassLoader().getClass().getSimpleName());
        ((Runnable) c.getDeclaredConstructor().newInstance()).run();
    }
}
