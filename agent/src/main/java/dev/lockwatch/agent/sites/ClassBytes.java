package dev.lockwatch.agent.sites;


import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;

/**
 * The class file a loaded class came from, read without running any application code: no method of an
 * application's class loader (which could take the locks of a deadlock being reported, or load classes), no URL
 * handler other than the JDK's {@code file:} one, which cannot be replaced.
 *
 * <p>Two sources only. Classes of JDK modules (named modules of the boot layer, defined by the bootstrap or
 * platform loader) through {@link Module#getResourceAsStream}, which for those loaders reads the runtime image
 * directly, and which never hides {@code .class} resources. Every other class through its protection domain's
 * code source, when that is a {@code file:} directory or jar, opened here (a multi-release jar as the running
 * JDK's version sees it). Anything else is null: hidden classes (lambdas), classes generated at run time (proxies,
 * no code source, or a code source without that entry), nested jars (Spring Boot's {@code jar:} and
 * {@code nested:} locations), classes on {@code -Xbootclasspath/a}. The bytes are those on disk: a class that was
 * redefined, or a file rewritten since it was loaded, may differ from what runs.
 *
 * <p>An instance keeps a few recent answers, bounded in number and holding each class only weakly; the bytes do
 * not refer to the class, so the cache keeps no class or class loader alive. Arrays returned are shared with that
 * cache: callers must not change them.
 */
public final class ClassBytes {
    /** Larger class files are not read: the JVM's limits make real ones far smaller. */
    static final int MAX_CLASS_FILE = 16 << 20;

    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();
    private static final byte[] ABSENT = new byte[0];

    /** Guards the three fields below; private, so no other code can hold it. */
    private final Object lock = new Object();
    private final WeakReference<?>[] classes;
    private final byte[][] bytes;
    private int next;

    /** @param capacity how many classes' answers to keep, at least 1 */
    public ClassBytes(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity < 1: " + capacity);
        }
        classes = new WeakReference<?>[capacity];
        bytes = new byte[capacity][];
    }

    /** As {@link #read(Class)}, answered from the cache when this class was asked for recently. */
    public byte[] of(Class<?> type) {
        if (type == null) {
            return null;
        }
        synchronized (lock) {
            for (int i = 0; i < classes.length; i++) {
                if (classes[i] != null && classes[i].get() == type) {
                    return bytes[i] == ABSENT ? null : bytes[i];
                }
            }
        }
        byte[] read = read(type);
        synchronized (lock) {
            int slot = next;
            for (int i = 0; i < classes.length; i++) { // a slot whose class is gone first
                if (classes[i] == null || classes[i].get() == null) {
                    slot = i;
                    break;
                }
            }
            if (slot == next) {
                next = (next + 1) % classes.length;
            }
            classes[slot] = new WeakReference<>(type);
            bytes[slot] = read == null ? ABSENT : read;
        }
        return read;
    }

    /** How many classes the cache holds now (for tests). */
    int cached() {
        synchronized (lock) {
            int n = 0;
            for (WeakReference<?> c : classes) {
                if (c != null && c.get() != null) {
                    n++;
                }
            }
            return n;
        }
    }

    /**
     * The class file of {@code type}, or null when it cannot be had without running application code (see the
     * class comment). Never throws.
     */
    public static byte[] read(Class<?> type) {
        if (type == null || type.isPrimitive() || type.isArray() || type.isHidden()) {
            return null;
        }
        String internalName = type.getName().replace('.', '/');
        String entry = internalName + ".class";
        try {
            byte[] found = isJdkClass(type) ? fromJdkModule(type.getModule(), entry) : fromCodeSource(type, entry);
            return found != null && declares(found, internalName) ? found : null;
        } catch (IOException | RuntimeException e) { // unreadable file or jar, denied by a security manager
            return null;
        }
    }

    /** A class of a JDK module: a named module of the boot layer, defined by the bootstrap or platform loader. */
    static boolean isJdkClass(Class<?> type) {
        Module module = type.getModule();
        ClassLoader loader = type.getClassLoader();
        return module.isNamed() && module.getLayer() == ModuleLayer.boot() && (loader == null || loader == PLATFORM);
    }

    private static byte[] fromJdkModule(Module module, String entry) throws IOException {
        // For the bootstrap and platform loaders this reads the module's content through the JDK's own
        // BuiltinClassLoader/BootLoader paths, never a loader's overridable methods.
        try (InputStream in = module.getResourceAsStream(entry)) {
            return in == null ? null : readBounded(in);
        }
    }

    private static byte[] fromCodeSource(Class<?> type, String entry) throws IOException {
        ProtectionDomain domain = type.getProtectionDomain();
        CodeSource source = domain == null ? null : domain.getCodeSource();
        URL location = source == null ? null : source.getLocation();
        // Only file: URLs: the JDK does not let a URLStreamHandlerFactory replace that handler, so nothing
        // below runs code the application chose.
        if (location == null || !"file".equalsIgnoreCase(location.getProtocol())) {
            return null;
        }
        Path path = path(location);
        if (Files.isDirectory(path)) {
            Path file = path.resolve(entry).normalize();
            if (!file.startsWith(path.normalize()) || !Files.isRegularFile(file) || Files.size(file) > MAX_CLASS_FILE) {
                return null;
            }
            return Files.readAllBytes(file);
        }
        if (!Files.isRegularFile(path)) {
            return null;
        }
        // No signature check (verify = false): only the bytes are wanted, and checking costs a digest per entry.
        try (JarFile jar = new JarFile(path.toFile(), false, ZipFile.OPEN_READ, Runtime.version())) {
            JarEntry e = jar.getJarEntry(entry);
            if (e == null || e.isDirectory()) {
                return null;
            }
            try (InputStream in = jar.getInputStream(e)) {
                return readBounded(in);
            }
        }
    }

    private static Path path(URL location) {
        try {
            return Path.of(location.toURI());
        } catch (URISyntaxException e) { // a file URL with unescaped characters (spaces): its path as it stands
            return Path.of(location.getPath());
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] read = in.readNBytes(MAX_CLASS_FILE + 1);
        return read.length > MAX_CLASS_FILE ? null : read;
    }

    /**
     * The bytes are a class file of that class, not some other file at that name. (The reader may patch the
     * version bytes for a moment; the array is not shared yet.)
     */
    private static boolean declares(byte[] classFile, String internalName) {
        try {
            return new net.bytebuddy.jar.asm.ClassReader(classFile).getClassName().equals(internalName);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
