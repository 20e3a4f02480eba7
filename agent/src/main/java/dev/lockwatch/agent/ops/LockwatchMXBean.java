package dev.lockwatch.agent.ops;

/**
 * The MBean {@code dev.lockwatch:type=Lockwatch} in the platform MBean server: what Lockwatch found in this JVM
 * and what it sees now; JConsole, JMC or any JMX client can read it, and it sends a notification per event.
 */
public interface LockwatchMXBean {
    String OBJECT_NAME = "dev.lockwatch:type=Lockwatch";

    String getVersion();

    /** The options in force now (a second attach may have changed some). */
    String getOptions();

    /** Deadlocks reported (first reports; reminders and suppressed ones not counted). */
    long getDeadlockCount();

    long getStarvationCount();

    long getHangCount();

    long getLockOrderCount();

    long getHeldWhileBlockingCount();

    /** Reports not logged because {@code suppress} matched every site. */
    long getSuppressedCount();

    long getReminderCount();

    /** Checks the watchdog has completed. */
    long getCheckCount();

    /** Distinct lock orders recorded in this run, including those whose locks left the graph since ({@code lockOrder=on}; 0 otherwise). */
    long getRecordedOrderCount();

    /** Lock orders in the graph now: fewer than recorded once locks were collected or evicted (0 when off). */
    long getGraphOrderCount();

    /** The text of the last report logged, or "" when none was. */
    String getLastReport();

    /** The current wait-for graph as text: who waits for what, held by whom, for how long. */
    String dumpWaitForGraph();
}
