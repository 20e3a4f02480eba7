package dev.lockwatch.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    /** Every key the agent knows, with the values it accepts (used in problem lines and the README). */
    static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("interval", "a duration such as 250ms, 2s or 1m (at least 10ms)");
        KEYS.put("logConfig", "the path of a readable Logback XML file for the agent's own logging");
        KEYS.put("heldWhileBlocking", "on or off (log a warning when a thread blocks on a future while holding a lock)");
    }

    private final Duration interval;
    private final Path logConfig;
    private final boolean heldWhileBlocking;
    private final Map<String, String> given;

    private Options(Duration interval, Path logConfig, boolean heldWhileBlocking, Map<String, String> given) {
        this.interval = interval;
        this.logConfig = logConfig;
        this.heldWhileBlocking = heldWhileBlocking;
        this.given = given;
    }

    public static Options defaults() {
        return new Options(Duration.ofSeconds(1), null, true, Map.of());
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
                    problems.add("option '" + item + "' is not key=value; accepted keys: " + String.join(", ", KEYS.keySet()));
                    continue;
                }
                raw.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim());
            }
        }

        Duration interval = defaults().interval;
        Path logConfig = null;
        boolean heldWhileBlocking = defaults().heldWhileBlocking;
        Map<String, String> given = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            switch (key) {
                case "interval": {
                    Duration d = parseDuration(value);
                    if (d == null || d.compareTo(MIN_INTERVAL) < 0) {
                        problems.add(bad(key, value) + "; using " + format(interval));
                    } else {
                        interval = d;
                        given.put(key, value);
                    }
                    break;
                }
                case "logConfig": {
                    if (value.isEmpty()) {
                        problems.add(bad(key, value) + "; using the built-in stderr logging");
                    } else {
                        logConfig = Path.of(value);
                        given.put(key, value);
                    }
                    break;
                }
                case "heldWhileBlocking": {
                    Boolean on = parseSwitch(value);
                    if (on == null) {
                        problems.add(bad(key, value) + "; using " + (heldWhileBlocking ? "on" : "off"));
                    } else {
                        heldWhileBlocking = on;
                        given.put(key, value);
                    }
                    break;
                }
                default:
                    problems.add("unknown option '" + key + "'; accepted keys: " + String.join(", ", KEYS.keySet()));
            }
        }
        return new Parsed(new Options(interval, logConfig, heldWhileBlocking, Map.copyOf(given)), List.copyOf(problems));
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
        return "bad value '" + value + "' for option " + key + "; accepted: " + KEYS.get(key);
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
