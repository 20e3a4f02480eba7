package dev.lockwatch.agent;

import dev.lockwatch.agent.ops.OnDeadlock;
import dev.lockwatch.agent.ops.SafeText;
import dev.lockwatch.agent.ops.Suppression;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's options, from {@code -javaagent:lockwatch-agent.jar=key=value,key=value} and from
 * {@code -Dlockwatch.key=value}. Where both name a key, the agent argument wins: it is the more specific
 * setting, written for this agent on this command line.
 *
 * <p>Bad input never stops the agent or the application: an unknown key, or a bad value, gives one problem
 * line naming it and the accepted values, and the default stays in force for that key.
 */
public final class Options {
    public static final String PREFIX = "lockwatch.";
    static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    static final Duration MIN_REMIND = Duration.ofSeconds(1);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    /** Every key the agent knows, with the values it accepts (used in problem lines and the README). */
    static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("interval", "a duration such as 250ms, 2s or 1m (at least 10ms)");
        KEYS.put("logConfig", "the path of a readable Logback XML file for the agent's own logging");
        KEYS.put("heldWhileBlocking", "on or off (log a warning when a thread blocks on a future while holding a lock)");
        KEYS.put("format", "text or json (json: one JSON object per line, written by Logback's JsonEncoder)");
        KEYS.put("log", "the path of a file for the agent's log, rolled at 10 MB with 5 old files kept (default: stderr)");
        KEYS.put("remind", "off, or a duration such as 30s or 5m (at least 1s) after which a deadlock or starvation"
                + " that is still there is reported again");
        KEYS.put("suppress", "class or class.method patterns separated by |, where * matches any characters"
                + " (com.example.Legacy*|com.example.Cache.get)");
        KEYS.put("onDeadlock", "log, dump, exit=<code> or dump+exit=<code>, with a code from 1 to 255");
        KEYS.put("dumpDir", "the path of an existing writable directory for thread dumps (default: the working"
                + " directory, or java.io.tmpdir when that is not writable)");
        KEYS.put("jmx", "on or off (register the MBean dev.lockwatch:type=Lockwatch, which status reads)");
    }

    /** How the agent's log lines are written. */
    public enum Format {
        TEXT, JSON;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Duration interval;
    private final Path logConfig;
    private final boolean heldWhileBlocking;
    private final Format format;
    private final Path log;
    private final Duration remind;
    private final Suppression suppress;
    private final OnDeadlock onDeadlock;
    private final Path dumpDir;
    private final boolean jmx;
    private final Map<String, String> given;

    private Options(Builder b, Map<String, String> given) {
        this.interval = b.interval;
        this.logConfig = b.logConfig;
        this.heldWhileBlocking = b.heldWhileBlocking;
        this.format = b.format;
        this.log = b.log;
        this.remind = b.remind;
        this.suppress = b.suppress;
        this.onDeadlock = b.onDeadlock;
        this.dumpDir = b.dumpDir;
        this.jmx = b.jmx;
        this.given = given;
    }

    /** The values being parsed, starting from the defaults. */
    private static final class Builder {
        Duration interval = Duration.ofSeconds(1);
        Path logConfig;
        boolean heldWhileBlocking = true;
        Format format = Format.TEXT;
        Path log;
        Duration remind;
        Suppression suppress = Suppression.NONE;
        OnDeadlock onDeadlock = OnDeadlock.LOG;
        Path dumpDir;
        boolean jmx = true;
    }

    public static Options defaults() {
        return new Options(new Builder(), Map.of());
    }

    /** {@code text} (the default) or {@code json}. */
    public Format format() {
        return format;
    }

    /** The file for the agent's log, or null for stderr. */
    public Path log() {
        return log;
    }

    /** How long a reported deadlock or starvation may last before it is reported again; null for never. */
    public Duration remind() {
        return remind;
    }

    public Suppression suppress() {
        return suppress;
    }

    public OnDeadlock onDeadlock() {
        return onDeadlock;
    }

    /** The directory for thread dumps, or null for the default. */
    public Path dumpDir() {
        return dumpDir;
    }

    /** Whether the MBean is registered. */
    public boolean jmx() {
        return jmx;
    }

    /** Every option in force, for the start-up line and the MBean: {@code interval=1s, format=text, ...}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("interval=").append(format(interval));
        if (logConfig != null) {
            sb.append(", logConfig=").append(logConfig);
        } else {
            sb.append(", format=").append(format).append(", log=").append(log == null ? "stderr" : log.toString());
        }
        sb.append(", remind=").append(remind == null ? "off" : format(remind))
                .append(", suppress=").append(suppress)
                .append(", onDeadlock=").append(onDeadlock);
        if (onDeadlock.dump()) {
            sb.append(", dumpDir=").append(dumpDir == null ? "(working directory)" : dumpDir.toString());
        }
        sb.append(", jmx=").append(jmx ? "on" : "off")
                .append(", heldWhileBlocking=").append(heldWhileBlocking ? "on" : "off");
        return sb.toString();
    }

    /** Whether HELD_WHILE_BLOCKING warnings are on. */
    public boolean heldWhileBlocking() {
        return heldWhileBlocking;
    }

    public Duration interval() {
        return interval;
    }

    /** The Logback file for the agent's own logging, or null for the built-in stderr setup. */
    public Path logConfig() {
        return logConfig;
    }

    /** The options as given and accepted, for the start-up line. */
    public Map<String, String> given() {
        return given;
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
                    problems.add("option '" + SafeText.plain(item) + "' is not key=value; accepted keys: " + String.join(", ", KEYS.keySet()));
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
            switch (key) {
                case "interval": {
                    Duration d = parseDuration(value);
                    if (d == null || d.compareTo(MIN_INTERVAL) < 0) {
                        problems.add(bad(key, value) + "; using " + format(b.interval));
                    } else {
                        b.interval = d;
                        given.put(key, value);
                    }
                    break;
                }
                case "logConfig": {
                    if (value.isEmpty()) {
                        problems.add(bad(key, value) + "; using the built-in stderr logging");
                    } else {
                        b.logConfig = Path.of(value);
                        given.put(key, value);
                    }
                    break;
                }
                case "heldWhileBlocking": {
                    Boolean on = parseSwitch(value);
                    if (on == null) {
                        problems.add(bad(key, value) + "; using " + (b.heldWhileBlocking ? "on" : "off"));
                    } else {
                        b.heldWhileBlocking = on;
                        given.put(key, value);
                    }
                    break;
                }
                case "format": {
                    String f = value.toLowerCase(Locale.ROOT);
                    if (f.equals("text") || f.equals("json")) {
                        b.format = f.equals("json") ? Format.JSON : Format.TEXT;
                        given.put(key, value);
                    } else {
                        problems.add(bad(key, value) + "; using " + b.format);
                    }
                    break;
                }
                case "log": {
                    if (value.isEmpty() || Files.isDirectory(Path.of(value))) {
                        problems.add(bad(key, value) + "; using stderr");
                    } else {
                        b.log = Path.of(value);
                        given.put(key, value);
                    }
                    break;
                }
                case "remind": {
                    Duration d = parseDuration(value);
                    if (value.equalsIgnoreCase("off")) {
                        b.remind = null;
                        given.put(key, value);
                    } else if (d == null || d.compareTo(MIN_REMIND) < 0) {
                        problems.add(bad(key, value) + "; using off");
                    } else {
                        b.remind = d;
                        given.put(key, value);
                    }
                    break;
                }
                case "suppress": {
                    Suppression s = Suppression.parse(value);
                    if (s == null) {
                        problems.add(bad(key, value) + "; using none");
                    } else {
                        b.suppress = s;
                        given.put(key, value);
                    }
                    break;
                }
                case "onDeadlock": {
                    OnDeadlock action = OnDeadlock.parse(value);
                    if (action == null) {
                        problems.add(bad(key, value) + "; using " + b.onDeadlock);
                    } else {
                        b.onDeadlock = action;
                        given.put(key, value);
                    }
                    break;
                }
                case "dumpDir": {
                    Path dir = value.isEmpty() ? null : Path.of(value);
                    if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
                        problems.add(bad(key, value) + "; using the default");
                    } else {
                        b.dumpDir = dir;
                        given.put(key, value);
                    }
                    break;
                }
                case "jmx": {
                    Boolean on = parseSwitch(value);
                    if (on == null) {
                        problems.add(bad(key, value) + "; using " + (b.jmx ? "on" : "off"));
                    } else {
                        b.jmx = on;
                        given.put(key, value);
                    }
                    break;
                }
                default:
                    problems.add("unknown option '" + SafeText.plain(key) + "'; accepted keys: " + String.join(", ", KEYS.keySet()));
            }
        }
        return new Parsed(new Options(b, Collections.unmodifiableMap(given)), List.copyOf(problems));
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
        return "bad value '" + SafeText.plain(value) + "' for option " + key + "; accepted: " + KEYS.get(key);
    }

    /** {@code 250ms}, {@code 2s}, {@code 1m}; null for anything else. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            default:
                return Duration.ofMinutes(n);
        }
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
