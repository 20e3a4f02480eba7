package dev.lockwatch.startup;

import java.io.IOException;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A JVM to attach the agent to: it loads JDK classes until at least CLASSES are loaded (the agent's attach then
 * has that many classes to consider for retransformation), prints {@code ready classes=N}, and then runs a thread
 * that sleeps 1 ms at a time and prints {@code stall X ms} whenever it woke more than {@value #STALL_REPORT_MS} ms
 * late, for example because a safepoint held it. scripts/startup.sh attaches to it and sums the stalls and the
 * safepoints (-Xlog:safepoint) of the attach window.
 *
 * <p>usage: {@code java -cp startup-apps/target/startup-jetty.jar dev.lockwatch.startup.AttachTarget [CLASSES]}
 * (default 5000). It runs until it is killed.
 */
public final class AttachTarget {

    static final long STALL_REPORT_MS = 2;
    private static final long SLEEP_NANOS = 1_000_000;

    private AttachTarget() {
    }

    public static void main(String[] args) throws Exception {
        int wanted = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int loaded = loadJdkClasses(wanted);
        // The class loading's garbage, collected now rather than in the attach window or the baseline before it.
        System.gc();
        System.out.println("ready classes=" + loaded);
        System.out.flush();
        Thread recorder = new Thread(AttachTarget::recordStalls, "stall-recorder");
        recorder.start();
        recorder.join();
    }

    /** Loads (without initializing) JDK classes, module by module, until the JVM has {@code wanted} loaded. */
    static int loadJdkClasses(int wanted) throws IOException {
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        List<Path> modules = new ArrayList<>();
        try (Stream<Path> s = Files.list(jrt.getPath("/modules"))) {
            s.sorted().forEach(modules::add);
        }
        for (Path module : modules) {
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.walk(module)) {
                s.filter(p -> p.toString().endsWith(".class")).sorted().forEach(files::add);
            }
            for (Path file : files) {
                if (classes.getLoadedClassCount() >= wanted) {
                    return classes.getLoadedClassCount();
                }
                String relative = module.relativize(file).toString();
                if (relative.endsWith("module-info.class") || relative.endsWith("package-info.class")) {
                    continue;
                }
                String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
                try {
                    Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    // not in the boot layer, or not loadable on its own: skip it
                }
            }
        }
        return classes.getLoadedClassCount();
    }

    private static void recordStalls() {
        long last = System.nanoTime();
        while (true) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long late = now - last - SLEEP_NANOS;
            if (late > STALL_REPORT_MS * 1_000_000) {
                System.out.println(String.format(Locale.ROOT, "stall %.3f ms", late / 1e6));
            }
            last = now;
        }
    }
}
