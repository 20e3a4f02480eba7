package dev.lockwatch.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12: the fingerprint of the same deadlock changed from run to run (it was built from thread ids and
 * identity hashes). Now two child JVMs that differ in everything but the code (other identity hashes and thread
 * ids, one interpreted only, one writing text and one JSON) give the same value, in the text report's headline and
 * last line and in the JSON event's {@code fingerprint} field.
 */
class FingerprintIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Pattern TEXT = Pattern.compile("ERROR DEADLOCK: .*\\[fingerprint ([0-9a-f]{16})\\]$");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lock-abba", "monitor-abba"})
    void theSameDeadlockHasTheSameFingerprintInTwoJvms(String scenario) throws Exception {
        // Both at once, so the test takes one run's time; the second differs in format, JIT and hash seed.
        try (ChildJvm text = ChildJvm.demo(scenario, "interval=250ms", List.of(), 3);
             ChildJvm json = ChildJvm.demo(scenario, "interval=250ms,format=json",
                     List.of("-Xint", "-XX:+UnlockExperimentalVMOptions", "-XX:hashCode=3"), 3)) {
            assertEquals(0, text.awaitExit(BOUND), text.output());
            assertEquals(0, json.awaitExit(BOUND), json.output());

            String fromText = null;
            for (String line : text.output().split("\n")) {
                Matcher m = TEXT.matcher(line);
                if (m.find()) {
                    assertEquals(null, fromText, "one report:\n" + text.output());
                    fromText = m.group(1);
                }
            }
            assertNotEquals(null, fromText, text.output());
            assertTrue(text.output().contains("  end of report [fingerprint " + fromText + "]"), text.output());

            String fromJson = null;
            for (String line : json.output().split("\n")) {
                if (line.startsWith("{") && line.contains("\"kvpList\"")) {
                    Map<String, String> kv = JsonLine.keyValues(JsonLine.parseObject(line));
                    if ("DEADLOCK".equals(kv.get("kind"))) {
                        assertEquals(null, fromJson, "one report:\n" + json.output());
                        fromJson = kv.get("fingerprint");
                    }
                }
            }
            assertEquals(fromText, fromJson, "text run:\n" + text.output() + "\njson run:\n" + json.output());
        }
    }
}
