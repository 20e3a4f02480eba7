package dev.lockwatch.it;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Builds the class path of a child JVM that runs one of the test-only applications in
 * {@code dev.lockwatch.it.apps}, from what the test JVM itself has loaded.
 */
final class ChildClasspath {
    static final String APPS_PACKAGE = "dev/lockwatch/it/apps";

    private ChildClasspath() {
    }

    /** The jar (or class folder) the test JVM loaded {@code type} from. */
    static Path locationOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("no file location for " + type, e);
        }
    }

    /**
     * Copies the compiled {@code dev.lockwatch.it.apps} classes from the test classes into {@code folder} and
     * returns it; {@code main} must be among them. The child gets this copy rather than the whole test-classes
     * folder, so that nothing else the unit tests put there (a {@code logback-test.xml}, a test double under
     * {@code dev.lockwatch.agent}) can shadow the application's own logging setup or the agent's classes.
     */
    static Path copyApps(Path folder, Class<?> main) throws IOException {
        Path testClasses = locationOf(ChildClasspath.class);
        Path apps = testClasses.resolve(APPS_PACKAGE);
        if (!Files.isDirectory(apps)) {
            throw new IllegalStateException(apps + " is missing: the test classes are not compiled");
        }
        try (Stream<Path> files = Files.list(apps)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList())) {
                Path target = folder.resolve(testClasses.relativize(f).toString());
                Files.createDirectories(target.getParent());
                Files.copy(f, target);
            }
        }
        Path mainClass = folder.resolve(main.getName().replace('.', '/') + ".class");
        if (!Files.isRegularFile(mainClass)) {
            throw new IllegalStateException(mainClass + " was not copied from " + apps + " (test classes being recompiled?)");
        }
        return folder;
    }

    static String join(List<Path> entries) {
        return entries.stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
    }
}
