package dev.lockwatch.agent.alert;

import dev.lockwatch.agent.report.EventKind;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The options that decide what a finding becomes: suppressed and counted, or reported (and reminded of), and which
 * action follows. All of them can change at run time (a second attach), so the pipeline holds one immutable
 * policy behind a volatile field.
 *
 * @param remind  how long a finding of threads stuck for good may last before it is reported again; null for never
 * @param dumpDir where dumps go, or null for the default (the working directory, or the temporary directory)
 */
public record Policy(Duration remind, Suppression suppress, Action onDeadlock, Action onHang, Action onLockOrder,
                     Path dumpDir) {
    public static final Policy DEFAULT = new Policy(null, Suppression.NONE, Action.LOG, Action.LOG, Action.LOG, null);

    /** {@code onDeadlock} covers DEADLOCK and STARVATION (threads stuck for good); hazards other than LOCK_ORDER only log. */
    public Action actionFor(EventKind kind) {
        switch (kind) {
            case DEADLOCK:
            case STARVATION:
                return onDeadlock;
            case HANG:
                return onHang;
            case LOCK_ORDER:
                return onLockOrder;
            default:
                return Action.LOG;
        }
    }

    /** The option that names the action for {@code kind}. */
    static String optionFor(EventKind kind) {
        switch (kind) {
            case HANG:
                return "onHang";
            case LOCK_ORDER:
                return "onLockOrder";
            default:
                return "onDeadlock";
        }
    }

    /** A reported finding, last logged at {@code lastNanos}, is due to be logged again at {@code nowNanos}. */
    boolean remindDue(long lastNanos, long nowNanos) {
        return remind != null && nowNanos - lastNanos >= remind.toNanos();
    }
}
