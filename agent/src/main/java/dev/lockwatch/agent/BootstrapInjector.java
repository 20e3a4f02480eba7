package dev.lockwatch.agent;

import net.bytebuddy.dynamic.loading.ClassInjector;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Puts the classes of {@code dev.lockwatch.bootstrap} on the bootstrap class path, where advice inlined into JDK
 * classes can see them. They depend on {@code java.*} only. Everything else in the agent jar (the detector,
 * the relocated Byte Buddy, SLF4J and Logback) stays with the application class loader under relocated names.
 *
 * <p>Chosen over a separate class loader for the whole agent (OpenTelemetry's tiers) because it is the lighter
 * of the two shapes STYLE.md names and relocation already keeps the agent's libraries apart from the
 * application's; the bootstrap set is small and has no dependencies.
 */
final class BootstrapInjector {
    static final String PACKAGE = "dev/lockwatch/bootstrap/";
    private static final String PROBE = "dev.lockwatch.bootstrap.Registry";

    private BootstrapInjector() {
    }

    static void inject(Instrumentation inst) throws IOException, URISyntaxException {
        if (onBootstrapPath()) {
            return; // a second start in the same JVM (premain then attach, or attach twice)
        }
        File jar = new File(BootstrapInjector.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (JarFile file = new JarFile(jar)) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (e.getName().startsWith(PACKAGE) && e.getName().endsWith(".class")) {
                    try (InputStream in = file.getInputStream(e)) {
                        String name = e.getName().substring(0, e.getName().length() - ".class".length()).replace('/', '.');
                        classes.put(name, in.readAllBytes());
                    }
                }
            }
        }
        if (classes.isEmpty()) {
            throw new IOException("no bootstrap classes in " + jar);
        }
        File folder = Files.createTempDirectory("lockwatch-bootstrap").toFile();
        folder.deleteOnExit();
        ClassInjector.UsingInstrumentation.of(folder, ClassInjector.UsingInstrumentation.Target.BOOTSTRAP, inst)
                .injectRaw(classes);
        File[] written = folder.listFiles();
        if (written != null) {
            for (File f : written) {
                f.deleteOnExit();
            }
        }
    }

    static boolean onBootstrapPath() {
        try {
            Class.forName(PROBE, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
