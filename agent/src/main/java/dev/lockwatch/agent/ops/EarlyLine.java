package dev.lockwatch.agent.ops;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The agent's start and stop lines in the default setup (text on stderr) while nothing else has needed the log:
 * the same line Logback's pattern {@value AgentLog#PATTERN} writes, without configuring Logback for two lines. So
 * a JVM in which Lockwatch never finds anything never loads Logback (about 150 ms of CPU and 200 classes; README,
 * Overhead). Every other line, and every line of a JSON, file or {@code logConfig} setup, goes through Logback.
 *
 * <p>Its {@code DateTimeFormatter} is initialized at start on purpose, though it costs about 56 classes there: a
 * class whose initializer fails once (an {@code OutOfMemoryError} while the application churns) can never be used
 * again in that JVM, and the watchdog's set-up and every report (Logback's {@code %d}, the text encoder) need it.
 * A build that formatted this line without {@code java.time} left the formatter to be initialized first by the
 * watchdog, under the heap's exhaustion, and then no check could ever start
 * ({@code TrustRegressionIT.deadlockAfterOutOfMemoryChurnIsStillReported} caught it).
 */
final class EarlyLine {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private EarlyLine() {
    }

    /** {@code 2026-11-26 21:45:56.576 [lockwatch] INFO  message}, as {@code %-5level} pads the level. */
    static String format(LocalDateTime at, String message) {
        return TIME.format(at) + " [lockwatch] INFO  " + message;
    }

    static void info(String message) {
        System.err.println(format(LocalDateTime.now(), message));
    }

    /**
     * The last resort when the log itself fails (Logback's classes could not be set up in a JVM out of memory, or
     * under a SecurityManager that denies them): the line still reaches stderr, {@code level} padded like
     * {@code %-5level}.
     */
    static void lastResort(String level, String message) {
        try {
            System.err.println(TIME.format(LocalDateTime.now()) + " [lockwatch] " + (level + "    ").substring(0, 5) + " " + message);
        } catch (Throwable ignored) {
            // nothing left to write with
        }
    }
}
