package dev.lockwatch.it;

import dev.lockwatch.agent.config.Options;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12: {@code java -jar lockwatch-agent.jar} without arguments exited 0, and {@code help} listed no option.
 * Run as a user would, on the built jar.
 */
class CliIT {
    private static final Duration BOUND = Duration.ofSeconds(30);

    private static ChildJvm jar(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(ChildJvm.java(), "-jar", ChildJvm.AGENT_JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return ChildJvm.start(cmd);
    }

    @Test
    void noArgumentsPrintsUsageAndExits2() throws Exception {
        try (ChildJvm child = jar()) {
            assertEquals(2, child.awaitExit(BOUND), child.output());
            assertTrue(child.output().startsWith("usage: java -jar lockwatch-agent.jar <command>\n"), child.output());
            for (String command : List.of("list", "attach <pid>", "status <pid>", "version", "help")) {
                assertTrue(child.output().contains("\n  " + command), command + ":\n" + child.output());
            }
        }
    }

    @Test
    void helpListsEveryOptionWithItsDefaultAndAcceptedValues() throws Exception {
        try (ChildJvm child = jar("help")) {
            assertEquals(0, child.awaitExit(BOUND), child.output());
            String out = child.output();
            assertTrue(Options.KEYS.size() > 10, "the keys are read");
            for (Options.Key key : Options.KEYS) {
                // the key and its purpose, then on the next line its default and what it accepts
                Pattern entry = Pattern.compile("\n  " + Pattern.quote(key.name()) + " +" + Pattern.quote(key.purpose())
                        + "\n +default: " + Pattern.quote(key.defaultValue()) + "; accepted: " + Pattern.quote(key.accepted()) + "\n");
                assertTrue(entry.matcher(out).find(), key.name() + ":\n" + out);
            }
            assertTrue(out.contains("A second attach can change: " + String.join(", ", Options.CHANGEABLE)), out);
        }
    }

    @Test
    void everyKeyHelpListsIsOneTheAgentAccepts() {
        for (Options.Key key : Options.KEYS) {
            List<String> problems = Options.parse(key.name() + "=x", java.util.Map.of()).problems();
            assertTrue(problems.stream().noneMatch(p -> p.startsWith("unknown option")), key.name() + ": " + problems);
        }
    }
}
