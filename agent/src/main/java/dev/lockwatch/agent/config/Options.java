package dev.lockwatch.agent.config;

import dev.lockwatch.agent.alert.Action;
import dev.lockwatch.agent.alert.Suppression;
import dev.lockwatch.agent.report.SafeText;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's options, from {@code -javaagent:lockwatch-agent.jar=key=value,key=value} and from
 * {@code -Dlockwatch.key=value}. Where both name a key, the agent argument wins: it is the more specific
 * setting, written for this agent on this command line.
 *
 * <p>Bad input never stops the agent or the application: an unknown key, or a bad value, gives one problem
 * line naming it and the accepted values, and the default stays in force for that key. Paths are checked here, at
 * start: a log file whose directory does not exist (no directory is ever created), a directory, a symbolic link,
 * an unwritable dump directory are each one line, and the fallback is named.
 *
 * <p>Parsing is cheap on purpose (it runs before {@code main}): no regular expressions, no lambdas.
 */
public final class Options {
    public static final String PREFIX = "lockwatch.";
    static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    static final Duration MIN_REMIND = Duration.ofSeconds(1);
    static final Duration MIN_HANG_AFTER = Duration.ofMillis(100);
    /**
     * Lock-order checking by default: on when every cost target of issue 13 is met, and so on (see README,
     * LOCK_ORDER).
     */
    static final boolean LOCK_ORDER_DEFAULT = false;

    /** One option: what it is for, its default as people read it, and the values it accepts (problem lines, help). */
    public record Key(String name, String defaultValue, String accepted, String purpose) {
    }

    /** Every key the agent knows, in the order {@code help} lists them. */
    public static final List<Key> KEYS = List.of(
            new Key("interval", "1s", "a duration such as 250ms, 2s or 1m (at least 10ms)", "how often the watchdog checks"),
            new Key("lockOrder", LOCK_ORDER_DEFAULT ? "on" : "off", "on or off",
                    "report LOCK_ORDER: locks taken in orders that can deadlock, before any thread waits"),
            new Key("lockOrderFile", "none", "the path of a file in an existing directory",
                    "merge the lock orders of every run into this file, so that an inversion whose halves ran in two JVMs"
                            + " is found"),
            new Key("hangAfter", "30s", "off, or a duration such as 5s or 2m (at least 100ms)",
                    "how long a thread may wait without progress before it is considered for HANG"),
            new Key("heldWhileBlocking", "on", "on or off", "warn when a thread blocks on a future while holding a lock"),
            new Key("permits", "off", "on or off", "record who holds Semaphore permits, so that a deadlock through"
                    + " semaphores is a DEADLOCK (costs every acquire and release of every Semaphore; see README)"),
            new Key("format", "text", "text or json", "how the agent's lines are written (json: one object per line,"
                    + " by Logback's JsonEncoder)"),
            new Key("log", "stderr", "the path of a file in an existing directory (not a symbolic link)",
                    "where the agent's lines go instead of stderr; rolled at 10 MB, 5 old files kept"),
            new Key("logConfig", "none", "the path of a readable Logback XML file", "the agent's own Logback configuration"),
            new Key("remind", "off", "off, or a duration such as 30s or 5m (at least 1s)",
                    "report a DEADLOCK, STARVATION or HANG that is still there again after this long"),
            new Key("suppress", "none", "class or class.method patterns separated by |, where * matches any characters"
                    + " (com.example.Legacy*|com.example.Cache.get)", "count, not log, reports whose every site matches"),
            new Key("onDeadlock", "log", "log, dump, exit=<code> or dump+exit=<code>, with a code from 1 to 255",
                    "what else happens on DEADLOCK and STARVATION"),
            new Key("onHang", "log", "log, dump, exit=<code> or dump+exit=<code>, with a code from 1 to 255",
                    "what else happens on HANG"),
            new Key("onLockOrder", "log", "log or exit=<code>, with a code from 1 to 255", "what else happens on LOCK_ORDER"),
            new Key("dumpDir", "the working directory", "the path of an existing directory where files can be created",
                    "where the dumps of dump actions go"),
            new Key("jmx", "on", "on or off", "register the MBean dev.lockwatch:type=Lockwatch"));

    /** The keys a second attach can change while Lockwatch runs; the others need a restart. */
    public static final List<String> CHANGEABLE = List.of("interval", "hangAfter", "heldWhileBlocking", "remind",
            "suppress", "onDeadlock", "onHang", "onLockOrder", "dumpDir");

    /** How the agent's log lines are written. */
    public enum Format {
        TEXT, JSON;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Builder b;
    private final Map<String, String> given;

    private Options(Builder b, Map<String, String> given) {
        this.b = b;
        this.given = given;
    }

    /** The values being parsed, starting from the defaults. */
    private static final class Builder implements Cloneable {
        Duration interval = Duration.ofSeconds(1);
        boolean lockOrder = LOCK_ORDER_DEFAULT;
        Path lockOrderFile;
        Duration hangAfter = Duration.ofSeconds(30);
        Path logConfig;
        boolean heldWhileBlocking = true;
        boolean permits;
        Format format = Format.TEXT;
        Path log;
        Duration remind;
        Suppression suppress = Suppression.NONE;
        Action onDeadlock = Action.LOG;
        Action onHang = Action.LOG;
        Action onLockOrder = Action.LOG;
        Path dumpDir;
        boolean jmx = true;

        @Override
        protected Builder clone() {
            try {
                return (Builder) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    public static Options defaults() {
        return new Options(new Builder(), Map.of());
    }

    public Duration interval() {
        return b.interval;
    }

    public boolean lockOrder() {
        return b.lockOrder;
    }

    /** The file lock orders are merged into at exit and read at start, or null. */
    public Path lockOrderFile() {
        return b.lockOrderFile;
    }

    /** How long a thread may wait without progress before it is considered for HANG; null for off. */
    public Duration hangAfter() {
        return b.hangAfter;
    }

    /** The Logback file for the agent's own logging, or null for the built-in setup. */
    public Path logConfig() {
        return b.logConfig;
    }

    public boolean heldWhileBlocking() {
        return b.heldWhileBlocking;
    }

    /** Whether Semaphore permit holders are recorded (the Semaphore classes hooked); fixed at start. */
    public boolean permits() {
        return b.permits;
    }

    public Format format() {
        return b.format;
    }

    /** The file for the agent's log, or null for stderr. */
    public Path log() {
        return b.log;
    }

    /** How long a finding of stuck threads may last before it is reported again; null for never. */
    public Duration remind() {
        return b.remind;
    }

    public Suppression suppress() {
        return b.suppress;
    }

    public Action onDeadlock() {
        return b.onDeadlock;
    }

    public Action onHang() {
        return b.onHang;
    }

    public Action onLockOrder() {
        return b.onLockOrder;
    }

    /** The directory for thread dumps, or null for the default. */
    public Path dumpDir() {
        return b.dumpDir;
    }

    public boolean jmx() {
        return b.jmx;
    }

    /** The options as given and accepted. */
    public Map<String, String> given() {
        return given;
    }

    /**
     * These options with the changeable keys given in {@code later} (a second attach) applied; the others stay as
     * they are.
     */
    public Options with(Options later) {
        Builder n = b.clone();
        Map<String, String> g = new LinkedHashMap<>(given);
        for (String key : later.given.keySet()) {
            if (!CHANGEABLE.contains(key)) {
                continue;
            }
            g.put(key, later.given.get(key));
            switch (key) {
                case "interval" -> n.interval = later.b.interval;
                case "hangAfter" -> n.hangAfter = later.b.hangAfter;
                case "heldWhileBlocking" -> n.heldWhileBlocking = later.b.heldWhileBlocking;
                case "remind" -> n.remind = later.b.remind;
                case "suppress" -> n.suppress = later.b.suppress;
                case "onDeadlock" -> n.onDeadlock = later.b.onDeadlock;
                case "onHang" -> n.onHang = later.b.onHang;
                case "onLockOrder" -> n.onLockOrder = later.b.onLockOrder;
                case "dumpDir" -> n.dumpDir = later.b.dumpDir;
                default -> {
                }
            }
        }
        return new Options(n, Collections.unmodifiableMap(g));
    }

    /**
     * Every option in force, for the start-up line, the MBean and {@code status}: {@code interval=1s, ...}.
     * {@code logDestination} says where the log really goes (a fallback, if the configured one failed).
     */
    public String describe(String logDestination) {
        StringBuilder sb = new StringBuilder();
        sb.append("interval=").append(format(b.interval))
                .append(", lockOrder=").append(b.lockOrder ? "on" : "off");
        if (b.lockOrderFile != null) {
            sb.append(", lockOrderFile=").append(b.lockOrderFile);
        }
        sb.append(", hangAfter=").append(b.hangAfter == null ? "off" : format(b.hangAfter));
        if (b.logConfig != null) {
            sb.append(", logConfig=").append(b.logConfig);
        } else {
            sb.append(", format=").append(b.format);
        }
        sb.append(", log=").append(logDestination)
                .append(", remind=").append(b.remind == null ? "off" : format(b.remind))
                .append(", suppress=").append(b.suppress)
                .append(", onDeadlock=").append(b.onDeadlock)
                .append(", onHang=").append(b.onHang)
                .append(", onLockOrder=").append(b.onLockOrder);
        if (b.onDeadlock.dump() || b.onHang.dump()) {
            sb.append(", dumpDir=").append(b.dumpDir == null ? "(working directory)" : b.dumpDir.toString());
        }
        sb.append(", jmx=").append(b.jmx ? "on" : "off")
                .append(", heldWhileBlocking=").append(b.heldWhileBlocking ? "on" : "off")
                .append(", permits=").append(b.permits ? "on" : "off");
        return sb.toString();
    }

    /** The result of parsing: the options in force, and one line per problem found. */
    public record Parsed(Options options, List<String> problems) {
    }

    public static Parsed parse(String agentArgs, Map<String, String> systemProperties) {
        List<String> problems = new ArrayList<>();
        Map<String, String> raw = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : systemProperties.entrySet()) {
            if (e.getKey().startsWith(PREFIX)) {
                raw.put(e.getKey().substring(PREFIX.length()), e.getValue());
            }
        }
        if (agentArgs != null && !agentArgs.isBlank()) {
            for (String part : agentArgs.split(",")) {
                String item = part.trim();
                if (item.isEmpty()) {
                    continue;
                }
                int eq = item.indexOf('=');
                if (eq <= 0) {
                    problems.add("option '" + SafeText.plain(item) + "' is not key=value; accepted keys: " + keyNames());
                    continue;
                }
                raw.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim());
            }
        }

        Builder b = new Builder();
        Map<String, String> given = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            String problem = apply(b, key, value);
            if (problem == null) {
                given.put(key, value);
            } else {
                problems.add(problem);
            }
        }
        if (b.lockOrderFile != null && !b.lockOrder) {
            problems.add("option lockOrderFile=" + SafeText.plain(raw.get("lockOrderFile")) + " needs lockOrder=on (accepted"
                    + " values of lockOrder: on, off); using none: lock orders are not recorded");
            b.lockOrderFile = null;
            given.remove("lockOrderFile");
        }
        return new Parsed(new Options(b, Collections.unmodifiableMap(given)), List.copyOf(problems));
    }

    /** Applies one option; returns null, or the problem line (and the default stays). */
    private static String apply(Builder b, String key, String value) {
        switch (key) {
            case "interval": {
                Duration d = parseDuration(value);
                if (d == null || d.compareTo(MIN_INTERVAL) < 0) {
                    return bad(key, value) + "; using " + format(b.interval);
                }
                b.interval = d;
                return null;
            }
            case "lockOrder": {
                Boolean on = parseSwitch(value);
                if (on == null) {
                    return bad(key, value) + "; using " + (b.lockOrder ? "on" : "off");
                }
                b.lockOrder = on;
                return null;
            }
            case "lockOrderFile": {
                String why = fileProblem(value);
                if (why != null) {
                    return bad(key, value) + " (" + why + "); using none: lock orders are not kept across runs";
                }
                b.lockOrderFile = Path.of(value);
                return null;
            }
            case "hangAfter": {
                if (value.equalsIgnoreCase("off")) {
                    b.hangAfter = null;
                    return null;
                }
                Duration d = parseDuration(value);
                if (d == null || d.compareTo(MIN_HANG_AFTER) < 0) {
                    return bad(key, value) + "; using " + format(b.hangAfter);
                }
                b.hangAfter = d;
                return null;
            }
            case "logConfig": {
                if (value.isEmpty()) {
                    return bad(key, value) + "; using the built-in logging";
                }
                Path file = Path.of(value);
                if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                    return "cannot read logConfig file '" + SafeText.plain(value) + "'; accepted: " + key(key).accepted()
                            + "; using the built-in logging";
                }
                b.logConfig = file;
                return null;
            }
            case "heldWhileBlocking": {
                Boolean on = parseSwitch(value);
                if (on == null) {
                    return bad(key, value) + "; using " + (b.heldWhileBlocking ? "on" : "off");
                }
                b.heldWhileBlocking = on;
                return null;
            }
            case "permits": {
                Boolean on = parseSwitch(value);
                if (on == null) {
                    return bad(key, value) + "; using " + (b.permits ? "on" : "off");
                }
                b.permits = on;
                return null;
            }
            case "format": {
                String f = value.toLowerCase(Locale.ROOT);
                if (!f.equals("text") && !f.equals("json")) {
                    return bad(key, value) + "; using " + b.format;
                }
                b.format = f.equals("json") ? Format.JSON : Format.TEXT;
                return null;
            }
            case "log": {
                String why = fileProblem(value);
                if (why != null) {
                    return bad(key, value) + " (" + why + "); using stderr";
                }
                b.log = Path.of(value);
                return null;
            }
            case "remind": {
                if (value.equalsIgnoreCase("off")) {
                    b.remind = null;
                    return null;
                }
                Duration d = parseDuration(value);
                if (d == null || d.compareTo(MIN_REMIND) < 0) {
                    return bad(key, value) + "; using off";
                }
                b.remind = d;
                return null;
            }
            case "suppress": {
                Suppression s = Suppression.parse(value);
                if (s == null) {
                    return bad(key, value) + "; using none";
                }
                b.suppress = s;
                return null;
            }
            case "onDeadlock":
            case "onHang": {
                Action action = Action.parse(value);
                if (action == null) {
                    return bad(key, value) + "; using log";
                }
                if (key.equals("onDeadlock")) {
                    b.onDeadlock = action;
                } else {
                    b.onHang = action;
                }
                return null;
            }
            case "onLockOrder": {
                Action action = Action.parse(value);
                if (action == null || action.dump()) {
                    return bad(key, value) + "; using log";
                }
                b.onLockOrder = action;
                return null;
            }
            case "dumpDir": {
                String why = directoryProblem(value);
                if (why != null) {
                    return bad(key, value) + " (" + why + "); using the working directory";
                }
                b.dumpDir = Path.of(value);
                return null;
            }
            case "jmx": {
                Boolean on = parseSwitch(value);
                if (on == null) {
                    return bad(key, value) + "; using " + (b.jmx ? "on" : "off");
                }
                b.jmx = on;
                return null;
            }
            default:
                return "unknown option '" + SafeText.plain(key) + "'; accepted keys: " + keyNames();
        }
    }

    /**
     * Why a file the agent would write cannot be used, or null: its directory must exist (none is created), and
     * it must not be a directory or a symbolic link (another user could have planted it).
     */
    static String fileProblem(String value) {
        if (value.isEmpty()) {
            return "empty";
        }
        Path p;
        try {
            p = Path.of(value).toAbsolutePath();
        } catch (RuntimeException e) {
            return "not a path";
        }
        if (Files.isSymbolicLink(p)) {
            return "a symbolic link";
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return "a directory";
        }
        Path dir = p.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return "its directory does not exist";
        }
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? !Files.isWritable(p) : !Files.isWritable(dir)) {
            return "not writable";
        }
        return null;
    }

    /** Why a directory for dumps cannot be used, or null: it must exist and a file can really be created there. */
    static String directoryProblem(String value) {
        if (value.isEmpty()) {
            return "empty";
        }
        Path dir = Path.of(value);
        if (!Files.isDirectory(dir)) {
            return "not an existing directory";
        }
        try { // as root, isWritable says yes to /proc; only creating a file tells
            Path probe = Files.createTempFile(dir, ".lockwatch-probe", ".tmp");
            Files.delete(probe);
            return null;
        } catch (IOException | RuntimeException e) {
            return "a file cannot be created there";
        }
    }

    public static String keyNames() {
        StringBuilder sb = new StringBuilder();
        for (Key k : KEYS) {
            sb.append(sb.length() == 0 ? "" : ", ").append(k.name());
        }
        return sb.toString();
    }

    public static Key key(String name) {
        for (Key k : KEYS) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        return null;
    }

    private static Boolean parseSwitch(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "on":
            case "true":
                return Boolean.TRUE;
            case "off":
            case "false":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    private static String bad(String key, String value) {
        return "bad value '" + SafeText.plain(value) + "' for option " + key + "; accepted: " + key(key).accepted();
    }

    /** {@code 250ms}, {@code 2s}, {@code 1m} (any case, spaces around); null for anything else. */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int digits = 0;
        while (digits < t.length() && t.charAt(digits) >= '0' && t.charAt(digits) <= '9') {
            digits++;
        }
        if (digits == 0 || digits > 9) {
            return null;
        }
        long n = Long.parseLong(t.substring(0, digits));
        switch (t.substring(digits)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            default:
                return null;
        }
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
