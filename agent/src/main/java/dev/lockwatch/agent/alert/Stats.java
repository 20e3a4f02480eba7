package dev.lockwatch.agent.alert;

import dev.lockwatch.agent.report.EventKind;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts for the MBean, {@code status} and the shutdown line. Written by the watchdog thread only, read by any
 * thread (JMX, the shutdown hook): atomics for the counts, a volatile for the last report.
 */
public final class Stats {
    private final AtomicLongArray reported = new AtomicLongArray(EventKind.values().length);
    private final AtomicLongArray suppressed = new AtomicLongArray(EventKind.values().length);
    private final AtomicLong reminders = new AtomicLong();
    private final AtomicLong checks = new AtomicLong();
    private volatile String lastReport = "";

    public void reported(EventKind kind, String text) {
        reported.incrementAndGet(kind.ordinal());
        lastReport = text;
    }

    public void reminded(String text) {
        reminders.incrementAndGet();
        lastReport = text;
    }

    public void suppressed(EventKind kind) {
        suppressed.incrementAndGet(kind.ordinal());
    }

    /** Counts a finished check; returns how many there have been. */
    public long checked() {
        return checks.incrementAndGet();
    }

    public long reported(EventKind kind) {
        return reported.get(kind.ordinal());
    }

    public long suppressed() {
        long n = 0;
        for (EventKind k : EventKind.values()) {
            n += suppressed.get(k.ordinal());
        }
        return n;
    }

    public long reminders() {
        return reminders.get();
    }

    public long checks() {
        return checks.get();
    }

    /** The text of the last report logged (a first report or a reminder), or "" when none was. */
    public String lastReport() {
        return lastReport;
    }

    /** {@code deadlock 1, starvation 0, hang 0, lock order 0, held while blocking 0}. */
    public String counts() {
        StringBuilder sb = new StringBuilder();
        for (EventKind k : EventKind.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(k.words()).append(' ').append(reported(k));
        }
        return sb.toString();
    }

    /** {@code deadlock=1, starvation=0, hang=0, lock order=0, held while blocking=0, suppressed=0, reminders=0}. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        for (EventKind k : EventKind.values()) {
            sb.append(k.words()).append('=').append(reported(k)).append(", ");
        }
        return sb.append("suppressed=").append(suppressed()).append(", reminders=").append(reminders()).toString();
    }
}
