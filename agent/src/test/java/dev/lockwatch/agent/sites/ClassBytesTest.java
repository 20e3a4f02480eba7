package dev.lockwatch.agent.sites;

import net.bytebuddy.jar.asm.ClassReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassBytesTest {
    private static final String NAME = DefinedElsewhere.class.getName();
    private static final String ENTRY = NAME.replace('.', '/') + ".class";

    // ---- where class files come from ---------------------------------------------------------------------------

    @Test
    void readsAClassFromItsClassesDirectory() throws IOException {
        byte[] expected = Files.readAllBytes(FixtureSource.testClasses().resolve(ENTRY));

        assertArrayEquals(expected, ClassBytes.read(DefinedElsewhere.class));
    }

    @Test
    void readsAClassFromItsJar() throws IOException {
        URL location = Test.class.getProtectionDomain().getCodeSource().getLocation();
        assertTrue(location.getPath().endsWith(".jar"), location.toString());
        byte[] expected;
        try (InputStream in = Test.class.getClassLoader().getResourceAsStream("org/junit/jupiter/api/Test.class")) {
            expected = in.readAllBytes();
        }

        assertArrayEquals(expected, ClassBytes.read(Test.class));
    }

    @Test
    void readsClassesOfJdkModulesOfTheBootstrapAndPlatformLoaders() {
        assertNull(Hashtable.class.getClassLoader());
        assertSame(ClassLoader.getPlatformClassLoader(), java.sql.Date.class.getClassLoader());
        for (Class<?> jdk : List.of(Hashtable.class, Thread.State.class, java.sql.Date.class)) {
            assertTrue(ClassBytes.isJdkClass(jdk), jdk.getName());
            byte[] bytes = ClassBytes.read(jdk);
            assertNotNull(bytes, jdk.getName());
            assertEquals(jdk.getName().replace('.', '/'), new ClassReader(bytes).getClassName());
        }
        assertFalse(ClassBytes.isJdkClass(DefinedElsewhere.class));
        assertFalse(ClassBytes.isJdkClass(Test.class));
    }

    @Test
    void nullForClassesWithoutAClassFileOfTheirOwn() {
        Runnable lambda = () -> { };
        assertTrue(lambda.getClass().isHidden());
        Object proxy = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Runnable.class},
                (p, method, arguments) -> null);

        assertNull(ClassBytes.read(lambda.getClass()));
        assertNull(ClassBytes.read(proxy.getClass()));
        assertNull(ClassBytes.read(int.class));
        assertNull(ClassBytes.read(String[].class));
        assertNull(ClassBytes.read(null));
    }

    // ---- no application code: loaders of their own, which fail on any call ----------------------------------

    @Test
    void readsACustomLoadersClassFromItsCodeSourceWithoutAskingTheLoader() throws IOException {
        TrapLoader loader = new TrapLoader();
        Class<?> defined = loader.define(FixtureSource.testClasses().toUri().toURL());
        assertNotSame(DefinedElsewhere.class, defined);

        assertArrayEquals(Files.readAllBytes(FixtureSource.testClasses().resolve(ENTRY)), ClassBytes.read(defined));
        assertEquals(0, loader.calls.get());
    }

    @Test
    void readsAMultiReleaseJarAsTheRunningJdkSeesIt(@TempDir Path dir) throws IOException {
        byte[] classFile = definedElsewhereBytes();
        Path jar = dir.resolve("multi-release.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MULTI_RELEASE, "true");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry(ENTRY));
            out.write(new byte[] {1, 2, 3}); // not a class file: a reader that ignores versions gets nothing
            out.closeEntry();
            out.putNextEntry(new JarEntry("META-INF/versions/17/" + ENTRY));
            out.write(classFile);
            out.closeEntry();
        }
        TrapLoader loader = new TrapLoader();

        assertArrayEquals(classFile, ClassBytes.read(loader.define(jar.toUri().toURL())));
        assertEquals(0, loader.calls.get());
    }

    @Test
    void nullForNestedJarsMissingFilesAndFilesOfAnotherClass(@TempDir Path dir) throws IOException {
        TrapLoader nested = new TrapLoader();
        assertNull(ClassBytes.read(nested.define(new URL("jar:file:/opt/app.jar!/BOOT-INF/classes!/"))));
        assertNull(ClassBytes.read(new TrapLoader().define(dir.toUri().toURL())), "no such file");
        assertNull(ClassBytes.read(new TrapLoader().define(dir.resolve("absent.jar").toUri().toURL())));
        assertNull(ClassBytes.read(new TrapLoader().define(null)), "no code source");

        Path elsewhere = dir.resolve(ENTRY);
        Files.createDirectories(elsewhere.getParent());
        Files.write(elsewhere, ClassBytes.read(FixtureSource.class));
        assertNull(ClassBytes.read(new TrapLoader().define(dir.toUri().toURL())), "a class file of another class");
        assertEquals(0, nested.calls.get());
    }

    // ---- the cache ---------------------------------------------------------------------------------------------

    @Test
    void cacheAnswersWithTheSameArrayAndKeepsAtMostItsCapacity() {
        ClassBytes cache = new ClassBytes(2);
        byte[] first = cache.of(DefinedElsewhere.class);
        assertNotNull(first);
        assertSame(first, cache.of(DefinedElsewhere.class));
        Runnable lambda = () -> { };
        assertNull(cache.of(lambda.getClass()));
        assertNull(cache.of(lambda.getClass()), "a null answer is kept too");
        assertEquals(2, cache.cached());

        assertNotNull(cache.of(FixtureSource.class)); // evicts DefinedElsewhere, the oldest
        assertEquals(2, cache.cached());
        byte[] again = cache.of(DefinedElsewhere.class);
        assertNotSame(first, again);
        assertArrayEquals(first, again);
        assertNull(cache.of(null));
        assertThrows(IllegalArgumentException.class, () -> new ClassBytes(0));
    }

    @Test
    void cacheDoesNotKeepAClassAlive() throws Exception {
        ClassBytes cache = new ClassBytes(4);
        WeakReference<Class<?>> defined = cacheAClassOfAThrowawayLoader(cache);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (defined.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }

        assertNull(defined.get(), "the class and its loader were unloaded");
        assertEquals(0, cache.cached());
    }

    private static WeakReference<Class<?>> cacheAClassOfAThrowawayLoader(ClassBytes cache) throws IOException {
        Class<?> defined = new TrapLoader().define(FixtureSource.testClasses().toUri().toURL());
        assertNotNull(cache.of(defined));
        assertEquals(1, cache.cached());
        return new WeakReference<>(defined);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static byte[] definedElsewhereBytes() throws IOException {
        return Files.readAllBytes(FixtureSource.testClasses().resolve(ENTRY));
    }

    /**
     * Defines {@link DefinedElsewhere} from its class file, with a code source of the test's choosing; once
     * defined, any call that could read a resource or load a class counts and fails.
     */
    static final class TrapLoader extends ClassLoader {
        final AtomicInteger calls = new AtomicInteger();
        private volatile boolean armed;

        TrapLoader() {
            super(null);
        }

        Class<?> define(URL location) throws IOException {
            byte[] bytes = definedElsewhereBytes();
            ProtectionDomain domain = location == null ? null
                    : new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null);
            Class<?> defined = defineClass(NAME, bytes, 0, bytes.length, domain);
            armed = true;
            return defined;
        }

        private <T> T trap(String what) {
            if (armed) {
                calls.incrementAndGet();
                throw new AssertionError("ClassBytes called the class loader: " + what);
            }
            return null;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            trap("loadClass " + name);
            return super.loadClass(name, resolve);
        }

        @Override
        public URL getResource(String name) {
            return trap("getResource " + name);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            return trap("getResourceAsStream " + name);
        }

        @Override
        public Enumeration<URL> getResources(String name) {
            return trap("getResources " + name);
        }

        @Override
        protected URL findResource(String name) {
            return trap("findResource " + name);
        }

        @Override
        protected URL findResource(String moduleName, String name) {
            return trap("findResource " + moduleName + " " + name);
        }

        @Override
        protected Enumeration<URL> findResources(String name) {
            return trap("findResources " + name);
        }
    }
}
