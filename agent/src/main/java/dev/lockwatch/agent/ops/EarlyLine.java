package dev.lockwatch.agent.ops;

import java.util.TimeZone;

/**
 * The agent's start and stop lines in the default setup (text on stderr) while nothing else has needed the log:
 * the same line Logback's pattern {@value AgentLog#PATTERN} writes, without configuring Logback for two lines. So
 * a JVM in which Lockwatch never finds anything never loads Logback (about 150 ms of CPU and 200 classes; README,
 * Overhead). Every other line, and every line of a JSON, file or {@code logConfig} setup, goes through Logback.
 *
 * <p>The timestamp is worked out here from the epoch milliseconds and the default time zone's offset, not with
 * {@code java.time}'s formatter: on a JVM's start-up path that formatter alone loaded 56 classes (its fields,
 * chronology and printer-parsers), for one line. {@code EarlyLineTest} compares it with {@code DateTimeFormatter}.
 */
final class EarlyLine {
    private EarlyLine() {
    }

    /** {@code 2026-11-26 21:45:56.576 [lockwatch] INFO  message}, as {@code %-5level} pads the level. */
    static String format(long epochMillis, TimeZone zone, String message) {
        return stamp(epochMillis + zone.getOffset(epochMillis)) + " [lockwatch] INFO  " + message;
    }

    static void info(String message) {
        System.err.println(format(System.currentTimeMillis(), TimeZone.getDefault(), message));
    }

    /**
     * The last resort when the log itself fails (Logback's classes could not be set up in a JVM out of memory, or
     * under a SecurityManager that denies them): the line still reaches stderr, {@code level} padded like
     * {@code %-5level}.
     */
    static void lastResort(String level, String message) {
        try {
            long now = System.currentTimeMillis();
            System.err.println(stamp(now + TimeZone.getDefault().getOffset(now)) + " [lockwatch] "
                    + (level + "    ").substring(0, 5) + " " + message);
        } catch (Throwable ignored) {
            // nothing left to write with
        }
    }

    /** {@code yyyy-MM-dd HH:mm:ss.SSS} of a local time given as milliseconds since 1970-01-01T00:00 (proleptic Gregorian). */
    static String stamp(long localMillis) {
        long days = Math.floorDiv(localMillis, 86_400_000L);
        int ms = (int) Math.floorMod(localMillis, 86_400_000L);
        // civil date from a day count (days since 0000-03-01 in 400-year eras of 146,097 days)
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long day = doy - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder sb = new StringBuilder(23);
        pad(sb, year, 4).append('-');
        pad(sb, month, 2).append('-');
        pad(sb, day, 2).append(' ');
        pad(sb, ms / 3_600_000, 2).append(':');
        pad(sb, ms / 60_000 % 60, 2).append(':');
        pad(sb, ms / 1_000 % 60, 2).append('.');
        return pad(sb, ms % 1_000, 3).toString();
    }

    private static StringBuilder pad(StringBuilder sb, long value, int width) {
        String digits = Long.toString(value);
        for (int i = digits.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(digits);
    }
}
