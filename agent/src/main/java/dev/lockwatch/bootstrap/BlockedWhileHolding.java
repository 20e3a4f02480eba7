package dev.lockwatch.bootstrap;

/**
 * A thread started to block in a hand-off wait ({@code Future.get}, {@code join}, {@code invokeAll}) while it
 * held locks. Made on the application thread with plain data only (names, identity hashes, sites, the stack),
 * and handed to the watchdog, which logs it: the application thread never logs.
 */
public final class BlockedWhileHolding {
    public final String threadName;
    public final long threadId;
    /**
     * The held locks themselves, so that the watchdog names them as every other report does (by the
     * synchronizer behind them). Kept only until the watchdog's next check drains the finding.
     */
    public final Object[] locks;
    /** Per held lock: "read lock", "lock" or "monitor". */
    public final String[] modes;
    /** Per held lock: where it was acquired, or null. */
    public final String[] sites;
    /** What it waits for: the future's class name, or the blocking method. */
    public final String waitsFor;
    /** Where it blocks: the first application frame. */
    public final String waitSite;
    public final StackTraceElement[] stack;

    public BlockedWhileHolding(String threadName, long threadId, Object[] locks, String[] modes, String[] sites,
                               String waitsFor, String waitSite, StackTraceElement[] stack) {
        this.threadName = threadName;
        this.threadId = threadId;
        this.locks = locks;
        this.modes = modes;
        this.sites = sites;
        this.waitsFor = waitsFor;
        this.waitSite = waitSite;
        this.stack = stack;
    }
}
