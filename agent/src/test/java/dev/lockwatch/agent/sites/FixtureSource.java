package dev.lockwatch.agent.sites;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/** The source of a test fixture, to find the lines its marker comments are on. */
final class FixtureSource {
    private final List<String> lines;

    private FixtureSource(List<String> lines) {
        this.lines = lines;
    }

    static FixtureSource of(Class<?> fixture) {
        Path file = testSources().resolve(fixture.getName().replace('.', '/') + ".java");
        try {
            return new FixtureSource(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The module's directory: surefire sets {@code basedir}, and runs in it anyway. */
    static Path moduleDirectory() {
        return Path.of(System.getProperty("basedir", "."));
    }

    static Path testSources() {
        return moduleDirectory().resolve("src/test/java");
    }

    static Path testClasses() {
        return moduleDirectory().resolve("target/test-classes");
    }

    /** The 1-based line whose comment holds {@code marker} as a whole word; exactly one must. */
    int line(String marker) {
        Pattern word = Pattern.compile("//.*(?<![\\w-])" + Pattern.quote(marker) + "(?![\\w-])");
        return unique(marker, word);
    }

    /** The 1-based line with the call {@code at("tag")}; exactly one must. */
    int lineOfCall(String tag) {
        return unique(tag, Pattern.compile(Pattern.quote("at(\"" + tag + "\")")));
    }

    private int unique(String what, Pattern pattern) {
        int found = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (pattern.matcher(lines.get(i)).find()) {
                if (found != -1) {
                    throw new IllegalStateException(what + " is on lines " + found + " and " + (i + 1));
                }
                found = i + 1;
            }
        }
        if (found == -1) {
            throw new IllegalStateException(what + " is on no line");
        }
        return found;
    }
}
