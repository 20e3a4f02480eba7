package dev.lockwatch.agent.ops;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/** The MBean's implementation: reads {@link Stats} and {@link CurrentWaits}; never touches application objects. */
public final class LockwatchBean implements LockwatchMXBean {
    private final Stats stats;
    private final CurrentWaits waits;
    private final String version;
    private final String options;

    public LockwatchBean(Stats stats, CurrentWaits waits, String version, String options) {
        this.stats = stats;
        this.waits = waits;
        this.version = version;
        this.options = options;
    }

    /**
     * Registers it in the platform MBean server. Never throws: a failure (no JMX in this runtime, a security
     * manager, a name taken) is one warning line, and Lockwatch runs on without it.
     */
    public void register(EventLog log) {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(this, new ObjectName(OBJECT_NAME));
        } catch (Throwable t) {
            log.warn("MBean " + OBJECT_NAME + " not registered (" + SafeText.plain(String.valueOf(t))
                    + "); status cannot read this JVM, detection runs on");
        }
    }

    @Override
    public String getVersion() {
        return version;
    }

    @Override
    public String getOptions() {
        return options;
    }

    @Override
    public long getDeadlockCount() {
        return stats.reported(EventKind.DEADLOCK);
    }

    @Override
    public long getStarvationCount() {
        return stats.reported(EventKind.STARVATION);
    }

    @Override
    public long getLockOrderCount() {
        return stats.reported(EventKind.LOCK_ORDER);
    }

    @Override
    public long getHeldWhileBlockingCount() {
        return stats.reported(EventKind.HELD_WHILE_BLOCKING);
    }

    @Override
    public long getSuppressedCount() {
        return stats.suppressed();
    }

    @Override
    public long getReminderCount() {
        return stats.reminders();
    }

    @Override
    public long getCheckCount() {
        return stats.checks();
    }

    @Override
    public String getLastReport() {
        return stats.lastReport();
    }

    @Override
    public String dumpWaitForGraph() {
        return waits.render();
    }
}
