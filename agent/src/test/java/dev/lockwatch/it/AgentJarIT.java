package dev.lockwatch.it;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.ConstantDynamic;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built agent jar: nothing in it can clash with the application (STYLE.md, guarantee 2: every class under
 * {@code dev/lockwatch/}, Logback's and SLF4J's configuration keys relocated, no logging configuration or
 * service file an application would pick up), the classes put on the bootstrap class path and the advice
 * inlined into the JDK depend on {@code java.*} and each other only and bootstrap no call sites (guarantee 1),
 * and its command line works.
 */
class AgentJarIT {
    private static final String PROJECT = "dev/lockwatch/";
    private static final String BOOTSTRAP = "dev/lockwatch/bootstrap/";
    private static final String SHADED_LOGBACK = "dev/lockwatch/shaded/logback/";
    private static final String SHADED_SLF4J_FACTORY = "dev/lockwatch/shaded/slf4j/LoggerFactory.class";
    private static final String ENTRY_CLASS = "dev.lockwatch.agent.AgentMain";

    /** Every entry's name and bytes, in jar order. */
    private static Map<String, byte[]> entries;
    private static Manifest manifest;

    @BeforeAll
    static void readJar() throws IOException {
        entries = new LinkedHashMap<>();
        assertTrue(Files.isRegularFile(ChildJvm.AGENT_JAR), ChildJvm.AGENT_JAR + " is missing: build with 'mvn verify' from the repository root");
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            manifest = jar.getManifest();
            for (JarEntry e : Collections.list(jar.entries())) {
                if (!e.isDirectory()) {
                    try (InputStream in = jar.getInputStream(e)) {
                        entries.put(e.getName(), in.readAllBytes());
                    }
                }
            }
        }
        assertTrue(entries.containsKey(BOOTSTRAP + "Registry.class"), "not the agent jar? " + ChildJvm.AGENT_JAR);
    }

    @Test
    void everyClassIsUnderTheProjectPackage() {
        List<String> outside = new ArrayList<>();
        for (String name : entries.keySet()) {
            if (name.endsWith(".class") && !name.startsWith(PROJECT)) {
                outside.add(name);
            }
        }
        assertEquals(List.of(), outside, "classes outside " + PROJECT + " (the application would see them)");
    }

    @Test
    void manifestDeclaresTheEntryPointsAndCapabilities() {
        assertTrue(manifest != null, "the jar has no manifest");
        Attributes main = manifest.getMainAttributes();
        assertEquals(ENTRY_CLASS, main.getValue("Premain-Class"));
        assertEquals(ENTRY_CLASS, main.getValue("Agent-Class"));
        assertEquals(ENTRY_CLASS, main.getValue("Main-Class"));
        assertEquals("true", main.getValue("Can-Retransform-Classes"));
        assertEquals("true", main.getValue("Can-Redefine-Classes"));
    }

    @Test
    void noLoggingConfigurationOrForeignServiceFile() {
        List<String> offenders = new ArrayList<>();
        for (String name : entries.keySet()) {
            String file = name.substring(name.lastIndexOf('/') + 1);
            if (file.equals("logback.xml") || file.equals("logback-test.xml")) {
                offenders.add(name); // the application's Logback would configure itself from it
            }
            // A service file is found by the application's ServiceLoader: it must name one of the agent's types.
            if (name.startsWith("META-INF/services/") && !file.startsWith("dev.lockwatch.")) {
                offenders.add(name);
            }
        }
        assertFalse(entries.containsKey("META-INF/services/org.slf4j.spi.SLF4JServiceProvider"),
                "the agent must not offer its Logback to the application's SLF4J");
        assertEquals(List.of(), offenders, "entries the application's logging or ServiceLoader would pick up");
    }

    @Test
    void logbackAndSlf4jConfigurationKeysAreRelocated() throws IOException {
        // Bare key -> relocated spelling (agent/pom.xml, rawString relocations).
        Map<String, String> keys = Map.of(
                "logback.configurationFile", "lockwatch.logback.configurationFile",
                "logback.xml", "lockwatch-logback.xml",
                "logback-test.xml", "lockwatch-logback-test.xml",
                "slf4j.provider", "lockwatch.slf4j.provider");
        // The scan itself: Logback as published holds the bare key.
        assertTrue(countBare(testClasspathBytes("ch/qos/logback/classic/ClassicConstants.class"),
                "logback.configurationFile", "lockwatch.logback.configurationFile") > 0, "the scan finds a bare key");

        List<String> bare = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (!e.getKey().endsWith(".class")) {
                continue;
            }
            for (Map.Entry<String, String> key : keys.entrySet()) {
                if (countBare(e.getValue(), key.getKey(), key.getValue()) > 0) {
                    bare.add(e.getKey() + ": " + key.getKey());
                }
            }
        }
        assertEquals(List.of(), bare, "class files with a bare (unrelocated) Logback or SLF4J configuration key");

        for (String key : List.of("lockwatch.logback.configurationFile", "lockwatch-logback.xml", "lockwatch-logback-test.xml")) {
            assertTrue(entries.entrySet().stream().anyMatch(e -> e.getKey().startsWith(SHADED_LOGBACK)
                    && indexOf(e.getValue(), bytes(key), 0) >= 0), "the relocated Logback reads " + key);
        }
        byte[] factory = entries.get(SHADED_SLF4J_FACTORY);
        assertTrue(factory != null, SHADED_SLF4J_FACTORY + " is missing");
        assertTrue(indexOf(factory, bytes("lockwatch.slf4j.provider"), 0) >= 0,
                "the relocated SLF4J LoggerFactory reads lockwatch.slf4j.provider");
    }

    @Test
    void bootstrapClassesReferToJavaAndEachOtherOnly() {
        List<String> offenders = new ArrayList<>();
        Set<String> all = new TreeSet<>();
        for (Map.Entry<String, byte[]> e : bootstrapClasses().entrySet()) {
            Set<String> referenced = new TreeSet<>();
            new ClassReader(e.getValue()).accept(new ClassRemapper(new ClassWriter(0), recorder(referenced)), 0);
            for (String type : referenced) {
                if (!bootstrapVisible(type)) {
                    offenders.add(e.getKey() + " -> " + type);
                }
            }
            all.addAll(referenced);
        }
        assertTrue(all.contains("java/lang/Object") && all.contains(BOOTSTRAP + "Registry"), "the scan sees references: " + all);
        assertEquals(List.of(), offenders, "bootstrap classes referring to classes the bootstrap loader cannot see");
    }

    @Test
    void bootstrapClassesUseNoInvokedynamic() throws IOException {
        // The scan itself: the test application uses lambdas.
        assertFalse(dynamicIn(Map.of("LoggingApp", testClasspathBytes("dev/lockwatch/it/apps/LoggingApp.class"))).isEmpty(),
                "the scan finds invokedynamic");
        assertEquals(List.of(), dynamicIn(bootstrapClasses()),
                "invokedynamic or dynamic constants in bootstrap classes (lambdas, string concatenation)");
    }

    private static List<String> dynamicIn(Map<String, byte[]> classes) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            new ClassReader(e.getValue()).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    return indyFinder(e.getKey() + "." + name + descriptor, found);
                }
            }, 0);
        }
        return found;
    }

    /**
     * Every class the agent's own code refers to is in the jar or in the JDK: a reference to a part of a library
     * the shading left out (Byte Buddy beyond its ASM) would fail only when that code first runs, in a report.
     */
    @Test
    void everyClassTheAgentCodeRefersToIsInTheJarOrTheJdk() {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (!e.getKey().endsWith(".class") || e.getKey().startsWith("dev/lockwatch/shaded/")) {
                continue;
            }
            Set<String> referenced = new TreeSet<>();
            new ClassReader(e.getValue()).accept(new ClassRemapper(new ClassWriter(0), recorder(referenced)), 0);
            for (String type : referenced) {
                String name = type.startsWith("[") ? type.replaceAll("^\\[+L?|;$", "") : type;
                boolean jdk = name.startsWith("java/") || name.startsWith("javax/") || name.startsWith("jdk/")
                        || name.startsWith("sun/") || name.startsWith("com/sun/") || name.length() <= 1;
                if (!jdk && !entries.containsKey(name + ".class")) {
                    missing.add(e.getKey() + " -> " + name);
                }
            }
        }
        assertEquals(List.of(), missing, "references to classes that are not in the agent jar");
    }

    /** The bootstrap classes are defined one by one from a fixed list: it must name every class in the package. */
    @Test
    void theBootstrapClassListNamesEveryBootstrapClass() throws Exception {
        Class<?> injector = Class.forName("dev.lockwatch.agent.BootstrapInjector");
        java.lang.reflect.Field f = injector.getDeclaredField("CLASSES");
        f.setAccessible(true);
        Set<String> listed = new TreeSet<>();
        for (String simple : (String[]) f.get(null)) {
            listed.add(BOOTSTRAP + simple + ".class");
        }
        assertEquals(new TreeSet<>(bootstrapClasses().keySet()), listed);
    }

    /**
     * The JVM does not verify JDK classes unless asked, so a hook whose bytecode does not verify would run unchecked
     * on JDK 17 and fail only where the JVM verifies redefined classes (JDK 25). Asked here, on every JDK the tests
     * run on: the hooked JDK classes (futures, pools, fork/join, the synchronizers, and with permits=on the
     * semaphore's) and, with lockOrder=on, the rewritten monitors of the application's classes all verify.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"future-lock", "handoff-healthy", "chain-continuation", "lock-order-mixed", "semaphore-healthy"})
    void everyRewrittenClassVerifies(String scenario) throws Exception {
        try (ChildJvm child = ChildJvm.demo(scenario, "interval=200ms,lockOrder=on,permits=on",
                List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal", "-XX:+BytecodeVerificationRemote"), 2)) {
            child.awaitLine(l -> l.contains("Lockwatch stopped:") || l.contains("VerifyError"), 0, Duration.ofSeconds(60),
                    "saying Lockwatch stopped");
            child.stop();
            String out = child.output();
            assertFalse(out.contains("VerifyError"), out);
            assertFalse(out.contains("agent's thread stopped"), out);
            assertTrue(out.contains("transformation errors=0,"), out);
        }
    }

    /**
     * permits=off (the default) leaves the Semaphore classes as the JDK has them, so a Semaphore costs what it costs
     * without the agent. The JVM's class-load log names a class a transformer changed by the file it came from
     * ({@code lib/modules}) and an unchanged one by its module ({@code jrt:/java.base}); {@code Semaphore$NonfairSync},
     * never hooked, is the reference. With permits=on the same check sees the hooked ones differ, so it can tell.
     */
    @ParameterizedTest(name = "permits={0}")
    @ValueSource(strings = {"off", "on"})
    void semaphoreClassesAreTransformedOnlyWithPermitsOn(String permits, @TempDir Path dir) throws Exception {
        Path log = dir.resolve("classes.txt");
        String options = "interval=200ms" + (permits.equals("on") ? ",permits=on" : "");
        try (ChildJvm child = ChildJvm.demo("semaphore-healthy", options, List.of("-Xlog:class+load=info:file=" + log), 2)) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child.output());
            assertTrue(child.output().contains("transformation errors=0,"), child.output());
        }
        Map<String, String> source = new LinkedHashMap<>();
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf(" source: ");
            if (at > 0 && line.contains("java.util.concurrent.Semaphore$")) {
                source.put(line.substring(line.lastIndexOf(' ', at - 1) + 1, at), line.substring(at + " source: ".length()));
            }
        }
        String plain = source.get("java.util.concurrent.Semaphore$NonfairSync");
        assertTrue(plain != null, "the demo loads the semaphore classes: " + source);
        for (String hooked : List.of("java.util.concurrent.Semaphore$Sync", "java.util.concurrent.Semaphore$FairSync")) {
            if (permits.equals("on")) {
                assertNotEquals(plain, source.get(hooked), hooked + " is hooked: " + source);
            } else {
                assertEquals(plain, source.get(hooked), hooked + " is left alone: " + source);
            }
        }
    }

    @Test
    void versionCommandPrintsTheVersion() throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(ChildJvm.java(), "-jar", ChildJvm.AGENT_JAR.toAbsolutePath().toString(), "version"))) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(30)), child.output());
            assertEquals(List.of("Lockwatch 0.1.0"), child.output().lines().toList());
        }
    }

    @Test
    void unknownCommandFailsWithOneLine() throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(ChildJvm.java(), "-jar", ChildJvm.AGENT_JAR.toAbsolutePath().toString(), "frobnicate"))) {
            assertNotEquals(0, child.awaitExit(Duration.ofSeconds(30)), child.output());
            List<String> lines = child.output().lines().toList();
            assertEquals(1, lines.size(), child.output());
            assertTrue(lines.get(0).startsWith("lockwatch: unknown command 'frobnicate'"), child.output());
        }
    }

    private static byte[] testClasspathBytes(String resource) throws IOException {
        try (InputStream in = AgentJarIT.class.getClassLoader().getResourceAsStream(resource)) {
            assertTrue(in != null, resource + " is not on the test class path");
            return in.readAllBytes();
        }
    }

    private static Map<String, byte[]> bootstrapClasses() {
        Map<String, byte[]> bootstrap = new LinkedHashMap<>();
        entries.forEach((name, bytes) -> {
            if (name.startsWith(BOOTSTRAP) && name.endsWith(".class")) {
                bootstrap.put(name, bytes);
            }
        });
        assertFalse(bootstrap.isEmpty(), "no classes under " + BOOTSTRAP);
        return bootstrap;
    }

    private static boolean bootstrapVisible(String internalName) {
        // The JVM's inlining annotations: read by the JIT from the class file (honoured for bootstrap classes only),
        // never loaded by the bootstrap code itself.
        return internalName.startsWith("java/") || internalName.startsWith(BOOTSTRAP)
                || internalName.equals("jdk/internal/vm/annotation/ForceInline")
                || internalName.equals("jdk/internal/vm/annotation/DontInline");
    }

    /** A remapper that changes nothing and records every class name it is asked about. */
    private static Remapper recorder(Set<String> referenced) {
        return new Remapper() {
            @Override
            public String map(String internalName) {
                referenced.add(internalName);
                return internalName;
            }
        };
    }

    private static MethodVisitor indyFinder(String method, List<String> offenders) {
        return new MethodVisitor(Opcodes.ASM9) {
            @Override
            public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... args) {
                offenders.add(method + ": invokedynamic " + name + " via " + bootstrap.getOwner() + "." + bootstrap.getName());
            }

            @Override
            public void visitLdcInsn(Object value) {
                if (value instanceof ConstantDynamic) {
                    offenders.add(method + ": dynamic constant " + value);
                }
            }
        };
    }

    /** Occurrences of {@code key} in {@code data} that are not the tail of {@code relocated}. */
    private static int countBare(byte[] data, String key, String relocated) {
        byte[] k = bytes(key);
        byte[] prefix = bytes(relocated.substring(0, relocated.length() - key.length()));
        int count = 0;
        for (int i = indexOf(data, k, 0); i >= 0; i = indexOf(data, k, i + 1)) {
            if (!(i >= prefix.length && regionEquals(data, i - prefix.length, prefix))) {
                count++;
            }
        }
        return count;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static int indexOf(byte[] data, byte[] part, int from) {
        for (int i = Math.max(0, from); i <= data.length - part.length; i++) {
            if (regionEquals(data, i, part)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean regionEquals(byte[] data, int at, byte[] part) {
        return Arrays.equals(data, at, at + part.length, part, 0, part.length);
    }
}
