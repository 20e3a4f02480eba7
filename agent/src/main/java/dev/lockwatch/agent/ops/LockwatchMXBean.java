package dev.lockwatch.agent.ops;

/**
 * The MBean {@code dev.lockwatch:type=Lockwatch} in the platform MBean server: what Lockwatch found in this JVM
 * and what it sees now. {@code java -jar lockwatch-agent.jar status <pid>} reads it; so can JConsole or any JMX
 * client.
 */
public interface LockwatchMXBean {
    String OBJECT_NAME = "dev.lockwatch:type=Lockwatch";

    String getVersion();

    /** The options in force, as the start-up line states them. */
    String getOptions();

    /** Deadlocks reported (first reports; reminders and suppressed ones not counted). */
    long getDeadlockCount();

    long getStarvationCount();

    long getLockOrderCount();

    long getHeldWhileBlockingCount();

    /** Reports not logged because {@code suppress} matched every site. */
    long getSuppressedCount();

    long getReminderCount();

    /** Checks the watchdog has completed. */
    long getCheckCount();

    /** The text of the last report logged, or "" when none was. */
    String getLastReport();

    /** The current wait-for graph as text: who waits for what, held by whom, for how long. */
    String dumpWaitForGraph();
}
