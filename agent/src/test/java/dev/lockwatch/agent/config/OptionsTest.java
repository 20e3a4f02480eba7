package dev.lockwatch.agent.config;

import dev.lockwatch.agent.alert.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {
    private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    /** A readable Logback file: logConfig is checked at start. */
    private static final String XML = xml();

    private static String xml() {
        try {
            Path p = java.nio.file.Files.createTempFile("lw", ".xml");
            p.toFile().deleteOnExit();
            return p.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

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
        Options.Parsed parsed = parse("logConfig=" + XML );

        assertEquals(List.of(), parsed.problems());
        assertEquals(Path.of(XML), parsed.options().logConfig());
    }

    @Test
    void systemPropertiesWithThePrefixAreOptions() {
        Options.Parsed parsed = Options.parse(null,
                Map.of("lockwatch.interval", "2s", "lockwatch.logConfig", XML, "interval", "5s"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofSeconds(2), parsed.options().interval());
        assertEquals(Path.of(XML), parsed.options().logConfig());
    }

    @Test
    void agentArgumentsWinOverSystemProperties() {
        Options.Parsed parsed = Options.parse("interval=250ms",
                Map.of("lockwatch.interval", "2s", "lockwatch.logConfig", XML));

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofMillis(250), parsed.options().interval());
        assertEquals(Path.of(XML), parsed.options().logConfig(), "the -D option the args do not name");
    }

    @Test
    void goodAgentArgumentReplacesABadSystemPropertyWithoutAProblem() {
        Options.Parsed parsed = Options.parse("interval=3s", Map.of("lockwatch.interval", "soon"));

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofSeconds(3), parsed.options().interval());
    }

    @Test
    void unknownKeyGivesOneProblemListingTheAcceptedKeysAndOtherOptionsStillApply() {
        Options.Parsed parsed = parse("colour=red,interval=250ms,logConfig=" + XML );

        assertMentions(onlyProblem(parsed), "'colour'", "interval", "logConfig");
        assertEquals(Duration.ofMillis(250), parsed.options().interval());
        assertEquals(Path.of(XML), parsed.options().logConfig());
    }

    @Test
    void unknownSystemPropertyKeyIsAProblemToo() {
        Options.Parsed parsed = Options.parse(null, Map.of("lockwatch.intervall", "2s"));

        assertMentions(onlyProblem(parsed), "'intervall'", "interval", "logConfig", "lockOrder");
        assertEquals(DEFAULT_INTERVAL, parsed.options().interval());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "5ms", "9ms", "", "-1s", "1.5s", "2h", "1234567890ms", "2 s"})
    void badIntervalGivesOneProblemNamingTheValueKeyAndAcceptedFormAndKeepsTheDefault(String value) {
        Options.Parsed parsed = parse("interval=" + value + ",logConfig=" + XML );

        assertMentions(onlyProblem(parsed), "'" + value + "'", "interval", Options.key("interval").accepted());
        assertEquals(DEFAULT_INTERVAL, parsed.options().interval());
        assertEquals(Path.of(XML), parsed.options().logConfig(), "the good option still applies");
        assertEquals(Map.of("logConfig", XML), parsed.options().given(), "only accepted options");
    }

    @Test
    void badIntervalFromASystemPropertyKeepsTheDefault() {
        Options.Parsed parsed = Options.parse(null, Map.of("lockwatch.interval", "-1s"));

        assertMentions(onlyProblem(parsed), "'-1s'", "interval", Options.key("interval").accepted());
        assertEquals(DEFAULT_INTERVAL, parsed.options().interval());
    }

    @Test
    void emptyLogConfigGivesOneProblemAndKeepsBuiltInLogging() {
        Options.Parsed parsed = parse("logConfig=");

        assertMentions(onlyProblem(parsed), "''", "logConfig", Options.key("logConfig").accepted());
        assertNull(parsed.options().logConfig());
    }

    @ParameterizedTest
    @ValueSource(strings = {"interval", "=2s", "verbose"})
    void itemWithoutKeyEqualsValueGivesOneProblemAndTheRestStillApplies(String item) {
        Options.Parsed parsed = parse(item + ",interval=250ms");

        assertMentions(onlyProblem(parsed), "'" + item + "'", "key=value", "interval", "logConfig", "lockOrder");
        assertEquals(Duration.ofMillis(250), parsed.options().interval());
    }

    @Test
    void whitespaceAroundItemsKeysAndValuesIsTolerated() {
        Options.Parsed parsed = parse("  interval = 250ms ,  logConfig = " + XML + "  ,");

        assertEquals(List.of(), parsed.problems());
        assertEquals(Duration.ofMillis(250), parsed.options().interval());
        assertEquals(Path.of(XML), parsed.options().logConfig());
        assertEquals(Map.of("interval", "250ms", "logConfig", XML), parsed.options().given());
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

    // ---- alerting and operations ---------------------------------------------------------------------

    @Test
    void alertingDefaultsAreTextOnStderrNoRemindNoSuppressLogOnlyAndJmxOn() {
        Options d = Options.defaults();

        assertEquals(Options.Format.TEXT, d.format());
        assertNull(d.log());
        assertNull(d.remind());
        assertTrue(d.suppress().isEmpty());
        assertEquals(Action.LOG, d.onDeadlock());
        assertNull(d.dumpDir());
        assertTrue(d.jmx());
        assertEquals("interval=1s, lockOrder=" + (Options.LOCK_ORDER_DEFAULT ? "on" : "off") + ", hangAfter=30s, format=text,"
                + " log=stderr, remind=off, suppress=none, onDeadlock=log, onHang=log, onLockOrder=log, jmx=on,"
                + " heldWhileBlocking=on, permits=off", d.describe("stderr"));
    }

    @Test
    void everyAlertingOptionIsReadAndDescribed(@TempDir Path dir) {
        Path logFile = dir.resolve("lw.log");
        Options.Parsed parsed = Options.parse("format=JSON,log=" + logFile + ",remind=5m,suppress=com.example.Legacy*|com.example.Cache.get,"
                + "onDeadlock=dump+exit=3,dumpDir=" + dir + ",jmx=off", Map.of());

        assertEquals(List.of(), parsed.problems());
        Options o = parsed.options();
        assertEquals(Options.Format.JSON, o.format());
        assertEquals(logFile, o.log());
        assertEquals(Duration.ofMinutes(5), o.remind());
        assertEquals("com.example.Legacy*|com.example.Cache.get", o.suppress().toString());
        assertEquals(new Action(true, 3), o.onDeadlock());
        assertEquals(dir, o.dumpDir());
        assertFalse(o.jmx());
        assertEquals("interval=1s, lockOrder=" + (Options.LOCK_ORDER_DEFAULT ? "on" : "off") + ", hangAfter=30s, format=json, log="
                + logFile + ", remind=300s, suppress=com.example.Legacy*|com.example.Cache.get, onDeadlock=dump+exit=3,"
                + " onHang=log, onLockOrder=log, dumpDir=" + dir + ", jmx=off, heldWhileBlocking=on, permits=off",
                o.describe(logFile.toString()));
    }

    @Test
    void remindOffIsAccepted() {
        Options.Parsed parsed = Options.parse("remind=off", Map.of("lockwatch.remind", "10s"));

        assertEquals(List.of(), parsed.problems());
        assertNull(parsed.options().remind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"log", "dump", "exit=1", "exit=255", "dump+exit=2"})
    void onDeadlockAcceptsItsActions(String value) {
        Options.Parsed parsed = parse("onDeadlock=" + value);

        assertEquals(List.of(), parsed.problems());
        assertEquals(value, parsed.options().onDeadlock().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "format=xml", "format=", "log=", "remind=soon", "remind=500ms", "remind=", "suppress=", "suppress=a||b", "suppress=com/x",
        "onDeadlock=explode", "onDeadlock=exit", "onDeadlock=exit=0", "onDeadlock=exit=256", "onDeadlock=exit=-1",
        "onDeadlock=exit+dump=2", "dumpDir=/nonexistent/lockwatch", "dumpDir=", "jmx=maybe"})
    void everyBadAlertingValueGivesOneLineNamingTheValueTheKeyAndTheAcceptedValues(String item) {
        int eq = item.indexOf('=');
        String key = item.substring(0, eq);
        String value = item.substring(eq + 1);

        Options.Parsed parsed = parse(item + ",interval=250ms");

        assertMentions(onlyProblem(parsed), "bad value '" + value + "' for option " + key, "accepted: " + Options.key(key).accepted(), "; using");
        assertEquals(Duration.ofMillis(250), parsed.options().interval(), "the other options still apply");
        assertEquals(Options.defaults().describe("stderr").replace("interval=1s", "interval=250ms"), parsed.options().describe("stderr"),
                "the default stays in force");
    }

    @Test
    void aLogPathThatIsADirectoryIsABadValue(@TempDir Path dir) {
        assertMentions(onlyProblem(parse("log=" + dir)), "bad value '" + dir + "' for option log", "using stderr");
    }

    @Test
    void aBadValueCannotCarryAnEventKindOrABreakIntoTheProblemLine() {
        String line = onlyProblem(Options.parse(null, Map.of("lockwatch.format", "DEADLOCK\nx")));

        assertFalse(line.contains("DEADLOCK"), line);
        assertFalse(line.contains("\n"), line);
    }

    @Test
    void everyKeyHasAcceptedValuesText() {
        List<String> names = new java.util.ArrayList<>();
        for (Options.Key k : Options.KEYS) {
            assertFalse(k.accepted().isBlank(), k.name());
            assertFalse(k.defaultValue().isBlank(), k.name());
            names.add(k.name());
        }
        assertTrue(names.containsAll(List.of("format", "log", "remind", "suppress", "onDeadlock", "dumpDir", "jmx", "lockOrder",
                "hangAfter", "onHang", "onLockOrder", "lockOrderFile", "permits")), String.valueOf(names));
    }

    // ---- semaphore permits -----------------------------------------------------------------------------

    @Test
    void permitsAreOffByDefaultBecauseTheyCostEverySemaphoreCall() {
        assertFalse(Options.defaults().permits());
        assertEquals("off", Options.key("permits").defaultValue());
        assertTrue(Options.defaults().describe("stderr").endsWith(", permits=off"), Options.defaults().describe("stderr"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"permits=on", "permits=true", "permits=ON"})
    void permitsOnIsReadFromTheAgentArgument(String item) {
        Options.Parsed parsed = parse(item);

        assertEquals(List.of(), parsed.problems());
        assertTrue(parsed.options().permits());
        assertTrue(parsed.options().describe("stderr").endsWith(", permits=on"), parsed.options().describe("stderr"));
    }

    @Test
    void permitsIsReadFromASystemPropertyAndTheAgentArgumentWins() {
        assertTrue(Options.parse(null, Map.of("lockwatch.permits", "on")).options().permits());
        assertFalse(Options.parse("permits=off", Map.of("lockwatch.permits", "on")).options().permits());
    }

    @Test
    void aBadPermitsValueIsOneLineAndPermitsStayOff() {
        Options.Parsed parsed = parse("permits=maybe");

        assertMentions(onlyProblem(parsed), "bad value 'maybe' for option permits", "accepted: on or off", "using off");
        assertFalse(parsed.options().permits());
    }

    @Test
    void permitsCannotBeChangedByASecondAttach() {
        Options now = Options.defaults().with(parse("permits=on").options());

        assertFalse(now.permits(), "the Semaphore classes are hooked, or not, at start");
        assertFalse(Options.CHANGEABLE.contains("permits"));
    }

    // ---- lock order, hangs, and the paths checked at start ---------------------------------------------

    @Test
    void lockOrderHangAfterAndTheirActionsAreRead(@TempDir Path dir) {
        Path file = dir.resolve("orders.txt");
        Options.Parsed parsed = parse("lockOrder=on,hangAfter=5s,onHang=dump+exit=4,onLockOrder=exit=3,lockOrderFile=" + file);

        assertEquals(List.of(), parsed.problems());
        Options o = parsed.options();
        assertTrue(o.lockOrder());
        assertEquals(Duration.ofSeconds(5), o.hangAfter());
        assertEquals(new Action(true, 4), o.onHang());
        assertEquals(new Action(false, 3), o.onLockOrder());
        assertEquals(file, o.lockOrderFile());
        assertNull(parse("hangAfter=off").options().hangAfter());
    }

    /** A lock-order file without lock-order checking would stay empty: one line, and it is not used. */
    @Test
    void aLockOrderFileWithoutLockOrderOnIsOneLineAndUnused(@TempDir Path dir) {
        Options.Parsed parsed = parse("lockOrderFile=" + dir.resolve("orders.txt"));
        assertMentions(onlyProblem(parsed), "option lockOrderFile=", "needs lockOrder=on", "accepted values of lockOrder: on, off");
        assertNull(parsed.options().lockOrderFile());
        assertFalse(parsed.options().describe("stderr").contains("lockOrderFile"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lockOrder=maybe", "hangAfter=soon", "hangAfter=10ms", "onHang=explode", "onLockOrder=dump",
        "onLockOrder=dump+exit=2", "lockOrderFile="})
    void badLockOrderAndHangValuesGiveOneLineAndKeepTheDefault(String item) {
        int eq = item.indexOf('=');
        assertMentions(onlyProblem(parse(item)), "bad value '" + item.substring(eq + 1) + "' for option " + item.substring(0, eq),
                "accepted: " + Options.key(item.substring(0, eq)).accepted(), "; using");
    }

    /** Issue 12: log=/nonexistent/dir/x.log created the directories. */
    @Test
    void aLogFileInADirectoryThatDoesNotExistIsRefusedAndNothingIsCreated(@TempDir Path dir) {
        Path missing = dir.resolve("not-there").resolve("x.log");

        assertMentions(onlyProblem(parse("log=" + missing)), "its directory does not exist", "using stderr");
        assertNull(parse("log=" + missing).options().log());
        assertFalse(java.nio.file.Files.exists(missing.getParent()), "no directory is created");
    }

    /** Issue 10, item 14: log= followed a symbolic link planted by another user. */
    @Test
    void aLogFileThatIsASymbolicLinkIsRefused(@TempDir Path dir) throws Exception {
        Path target = java.nio.file.Files.createFile(dir.resolve("victim"));
        Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("agent.log"), target);

        assertMentions(onlyProblem(parse("log=" + link)), "a symbolic link", "using stderr");
    }

    /** Issue 12: dumpDir=/proc was accepted and only failed at the first dump. */
    @Test
    void aDumpDirWhereNoFileCanBeCreatedIsRefusedAtStart() {
        assertMentions(onlyProblem(parse("dumpDir=/proc")), "a file cannot be created there", "using the working directory");
    }

    @Test
    void aSecondAttachChangesOnlyTheOptionsThatCanChangeAtRunTime() {
        Options first = parse("interval=2s,format=json,remind=1m").options();
        Options later = parse("remind=5m,format=text,onHang=dump").options();

        Options now = first.with(later);

        assertEquals(Duration.ofMinutes(5), now.remind(), "remind can change");
        assertEquals(Options.Format.JSON, now.format(), "format needs a restart");
        assertEquals("dump", now.onHang().toString());
        assertEquals(Duration.ofSeconds(2), now.interval(), "not given again: stays");
        assertTrue(now.describe("stderr").contains("remind=300s"), now.describe("stderr"));
    }
}
