package dev.lockwatch.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * Defines the classes of {@code dev.lockwatch.bootstrap} in the bootstrap class loader, where code inlined into
 * JDK classes and rewritten application call sites can see them. They depend on {@code java.*} only. Everything
 * else in the agent jar (the detector, the relocated ASM, SLF4J and Logback) stays with the application class
 * loader under relocated names.
 *
 * <p>Why not {@code Instrumentation.appendToBootstrapClassLoaderSearch}: appending to the bootstrap class path makes
 * the JVM print "Sharing is only supported for boot loader classes because bootstrap classpath has been appended"
 * and turns off class-data sharing for the application's own classes. The classes are defined one by one with the
 * JDK's {@code jdk.internal.misc.Unsafe.defineClass} and a null loader instead (the package is opened to the agent
 * through {@code Instrumentation.redefineModule}, so no access check is bypassed). The bootstrap loader finds a
 * class it has defined before it searches its path, so resolution from {@code java.base} and from application
 * loaders (which delegate to it) sees this one copy. The bytes are read as resources of the agent jar by name (no
 * scan of the jar), from the fixed list {@link #CLASSES}, which a test compares with the package's classes.
 *
 * <p>Chosen over a separate class loader for the whole agent (OpenTelemetry's tiers) because relocation already
 * keeps the agent's libraries apart from the application's, and the bootstrap set is small and has no
 * dependencies.
 */
final class BootstrapInjector {
    static final String PACKAGE = "dev.lockwatch.bootstrap.";

    /** Every class of the bootstrap package; none extends another one of them, so the order is free. */
    static final String[] CLASSES = {
            "CallSites",
            "HeldWhileBlocking",
            "HeldWhileBlocking$FirstApplicationFrame",
            "HeldWhileBlocking$Note",
            "LockOrders",
            "LockOrders$Order",
            "Locks",
            "Locks$Access",
            "Permits",
            "Permits$Uncertain",
            "Registry",
            "Registry$CurrentRecord",
            "Registry$Orders",
            "Submissions",
            "Submissions$Entry",
            "ThreadRecord",
            "Threads",
    };

    private BootstrapInjector() {
    }

    /** Returns the bootstrap loader's unnamed module, which now holds the classes. */
    static Module inject(Instrumentation inst) throws Exception {
        Module base = Object.class.getModule();
        if (!onBootstrapLoader()) {
            Module agent = BootstrapInjector.class.getModule();
            inst.redefineModule(base, Set.of(), Map.of(), Map.of("jdk.internal.misc", Set.of(agent)), Set.of(), Map.of());
            defineAll(BootstrapInjector.class.getClassLoader());
        }
        Module boot = Class.forName(PACKAGE + "Registry", false, null).getModule();
        // java.base reads the classes its inlined code calls; they reach the JDK internals they read.
        inst.redefineModule(base, Set.of(boot), Map.of(), Map.of("java.util.concurrent.locks", Set.of(boot)), Set.of(), Map.of());
        return boot;
    }

    /**
     * Direct calls, not reflection: the JDK generates an accessor class for a reflective method called more than 15
     * times (about 15 classes loaded and one generated on every start). The calls resolve when this method first
     * runs, after {@link #inject} exported {@code jdk.internal.misc} to the agent.
     */
    private static void defineAll(ClassLoader jar) throws IOException {
        jdk.internal.misc.Unsafe unsafe = jdk.internal.misc.Unsafe.getUnsafe();
        for (String simple : CLASSES) {
            String name = PACKAGE + simple;
            byte[] bytes = read(jar, name);
            unsafe.defineClass(name, bytes, 0, bytes.length, null, null);
        }
    }

    private static byte[] read(ClassLoader jar, String name) throws IOException {
        try (InputStream in = jar.getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new IOException("the agent jar has no class " + name);
            }
            return in.readAllBytes();
        }
    }

    /** A second start in the same JVM (premain then attach, or attach twice) finds them there already. */
    static boolean onBootstrapLoader() {
        try {
            Class.forName(PACKAGE + "Registry", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
