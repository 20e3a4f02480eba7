package dev.lockwatch.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {
    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    private static Options.Parsed parse(String agentArgs) {
        return Options.parse(agentArgs, Map.of());
    }

    private static String onlyProblem(Options.Parsed parsed) {
        assertEquals(1, parsed.problems().size(), "problems: " + parsed.problems());
        return parsed.problems().get(0);
    }

    private static void assertMentions(String line, String... parts) {
        for (String part : parts) {
            assertTrue(line.contains(part), "'" + line + "' should mention '" + part + "'");
        }
    }

    @Test
    void defaultsAreOneSecondIntervalAndBuiltInLogging() {
        Options defaults = Options.defaults();

        assertEquals(DEFAULT_INTERVAL, defaults.interval());
        assertNull(defaults.logConfig());
        assertEquals(Map.of(), defaults.given());
    }

    @Test
    void noArgumentsGiveTheDefaultsAndNoProblems() {
        for (String args : new String[] {null, "", "   ", ",", " , ,"}) {
            Options.Parsed parsed = Options.parse(args, Map.of("java.version", "17", "user.name", "me"));

            assertEquals(List.of(), parsed.problems(), "args '" + args + "'");
            assertEquals(DEFAULT_INTERVAL, parsed.options().interval(), "args '" + args + "'");
            assertNull(parsed.options().logConfig(), "args '" + args + "'");
        }
    }

    @Test
    void intervalAcceptsMillisecondsSecondsAndMinutes() {
        assertEquals(Duration.ofMillis(250), parse("interval=250ms").options().interval());
        assertEquals(Duration.ofSeconds(2), parse("interval=2s").options().interval());
        assertEquals(Duration.ofMinutes(1), parse("interval=1m").options().interval());
        assertEquals(List.of(), parse("interval=1m").problems());
    }

    @Test
    void intervalAcceptsTheMinimumOfTenMilliseconds() {
        Options.Parsed parsed = parse("interval=10ms");

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofMillis(10), parsed.options().interval());
    }

    @Test
    void logConfigIsAPath() {
        Options.Parsed parsed = parse("logConfig=/etc/lockwatch/logback.xml");

        assertEquals(List.of(), parsed.problems());
        assertEquals(Path.of("/etc/lockwatch/logback.xml"), parsed.options().logConfig());
    }

    @Test
    void systemPropertiesWithThePrefixAreOptions() {
        Options.Parsed parsed = Options.parse(null,
                Map.of("lockwatch.interval", "2s", "lockwatch.logConfig", "/tmp/lw.xml", "interval", "5s"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofSeconds(2), parsed.options().interval());
        assertEquals(Path.of("/tmp/lw.xml"), parsed.options().logConfig());
    }

    @Test
    void agentArgumentsWinOverSystemProperties() {
        Options.Parsed parsed = Options.parse("interval=250ms",
                Map.of("lockwatch.interval", "2s", "lockwatch.logConfig", "/tmp/lw.xml"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofMillis(250), parsed.options().interval());
        assertEquals(Path.of("/tmp/lw.xml"), parsed.options().logConfig(), "the -D option the args do not name");
    }

    @Test
    void goodAgentArgumentReplacesABadSystemPropertyWithoutAProblem() {
        Options.Parsed parsed = Options.parse("interval=3s", Map.of("lockwatch.interval", "soon"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofSeconds(3), parsed.options().interval());
    }

    @Test
    void unknownKeyGivesOneProblemListingTheAcceptedKeysAndOtherOptionsStillApply() {
        Options.Parsed parsed = parse("colour=red,interval=250ms,logConfig=/tmp/lw.xml");

        assertMentions(onlyProblem(parsed), "'colour'", "interval", "logConfig");
        assertEquals(Duration.ofMillis(250), parsed.options().interval());
        assertEquals(Path.of("/tmp/lw.xml"), parsed.options().logConfig());
    }

    @Test
    void unknownSystemPropertyKeyIsAProblemToo() {
        Options.Parsed parsed = Options.parse(null, Map.of("lockwatch.intervall", "2s"));

        assertMentions(onlyProblem(parsed), "'intervall'", "interval, logConfig");
        assertEquals(DEFAULT_INTERVAL, parsed.options().interval());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "5ms", "9ms", "", "-1s", "1.5s", "2h", "1234567890ms", "2 s"})
    void badIntervalGivesOneProblemNamingTheValueKeyAndAcceptedFormAndKeepsTheDefault(String value) {
        Options.Parsed parsed = parse("interval=" + value + ",logConfig=/tmp/lw.xml");

        assertMentions(onlyProblem(parsed), "'" + value + "'", "interval", Options.KEYS.get("interval"));
        assertEquals(DEFAULT_INTERVAL, parsed.options().interval());
        assertEquals(Path.of("/tmp/lw.xml"), parsed.options().logConfig(), "the good option still applies");
        assertEquals(Map.of("logConfig", "/tmp/lw.xml"), parsed.options().given(), "only accepted options");
    }

    @Test
    void badIntervalFromASystemPropertyKeepsTheDefault() {
        Options.Parsed parsed = Options.parse(null, Map.of("lockwatch.interval", "-1s"));

        assertMentions(onlyProblem(parsed), "'-1s'", "interval", Options.KEYS.get("interval"));
        assertEquals(DEFAULT_INTERVAL, parsed.options().interval());
    }

    @Test
    void emptyLogConfigGivesOneProblemAndKeepsBuiltInLogging() {
        Options.Parsed parsed = parse("logConfig=");

        assertMentions(onlyProblem(parsed), "''", "logConfig", Options.KEYS.get("logConfig"));
        assertNull(parsed.options().logConfig());
    }

    @ParameterizedTest
    @ValueSource(strings = {"interval", "=2s", "verbose"})
    void itemWithoutKeyEqualsValueGivesOneProblemAndTheRestStillApplies(String item) {
        Options.Parsed parsed = parse(item + ",interval=250ms");

        assertMentions(onlyProblem(parsed), "'" + item + "'", "key=value", "interval, logConfig");
        assertEquals(Duration.ofMillis(250), parsed.options().interval());
    }

    @Test
    void whitespaceAroundItemsKeysAndValuesIsTolerated() {
        Options.Parsed parsed = parse("  interval = 250ms ,  logConfig = /tmp/lw.xml  ,");

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofMillis(250), parsed.options().interval());
        assertEquals(Path.of("/tmp/lw.xml"), parsed.options().logConfig());
        assertEquals(Map.of("interval", "250ms", "logConfig", "/tmp/lw.xml"), parsed.options().given());
    }

    @Test
    void parseDurationReadsTheThreeUnitsCaseAndSpaceInsensitively() {
        assertEquals(Duration.ofMillis(250), Options.parseDuration("250ms"));
        assertEquals(Duration.ofSeconds(2), Options.parseDuration("2s"));
        assertEquals(Duration.ofMinutes(1), Options.parseDuration("1m"));
        assertEquals(Duration.ofSeconds(2), Options.parseDuration(" 2S "));
        assertEquals(Duration.ofMillis(999_999_999), Options.parseDuration("999999999ms"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-1s", "1.5s", "2h", "2 s", "s", "1234567890ms", "1m30s"})
    void parseDurationRejectsEverythingElse(String text) {
        assertNull(Options.parseDuration(text));
    }

    @Test
    void formatWritesWholeSecondsAsSecondsAndTheRestAsMilliseconds() {
        assertEquals("250ms", Options.format(Duration.ofMillis(250)));
        assertEquals("1500ms", Options.format(Duration.ofMillis(1500)));
        assertEquals("2s", Options.format(Duration.ofSeconds(2)));
        assertEquals("60s", Options.format(Duration.ofMinutes(1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10ms", "250ms", "999ms", "1000ms", "1500ms", "1s", "2s", "90s", "1m", "59m", "1440m"})
    void parseDurationAndFormatRoundTrip(String text) {
        Duration parsed = Options.parseDuration(text);
        assertNotNull(parsed, text);

        String formatted = Options.format(parsed);

        assertEquals(parsed, Options.parseDuration(formatted), text + " formatted as " + formatted);
    }

    @Test
    void problemLineForABadValueSaysWhichDefaultStaysInForce() {
        assertMentions(onlyProblem(parse("interval=abc")), "using 1s");
    }
}
