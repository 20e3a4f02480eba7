package dev.lockwatch.agent.ops;

import dev.lockwatch.agent.alert.Event;
import dev.lockwatch.agent.alert.Output;
import dev.lockwatch.agent.alert.Stats;
import dev.lockwatch.agent.detect.Sample;
import dev.lockwatch.agent.report.EventKind;
import dev.lockwatch.agent.report.SafeText;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;

/**
 * The MBean's implementation, and an output: each event is also a JMX notification of type
 * {@code dev.lockwatch.<KIND>} whose message is the headline and whose user data is the whole text. Reads
 * {@link Stats} and {@link CurrentWaits}; never touches application objects.
 *
 * <p>Registered by the watchdog thread at its first check, not while the JVM starts, so that the platform MBean
 * server is not created before an application server has installed its own; no JMX connector is started.
 */
public final class LockwatchBean extends NotificationBroadcasterSupport implements LockwatchMXBean, Output {
    private final Stats stats;
    private final CurrentWaits waits;
    private final String version;
    private final Supplier<String> options;
    private final LongSupplier orders;
    private final LongSupplier ordersNow;
    private final LogOutput log;
    private final AtomicLong sequence = new AtomicLong();
    private boolean registered;

    public LockwatchBean(Stats stats, CurrentWaits waits, String version, Supplier<String> options, LongSupplier orders,
                         LongSupplier ordersNow, LogOutput log) {
        super(new MBeanNotificationInfo(new String[] {"dev.lockwatch.DEADLOCK", "dev.lockwatch.STARVATION",
                "dev.lockwatch.HANG", "dev.lockwatch.LOCK_ORDER", "dev.lockwatch.HELD_WHILE_BLOCKING"},
                Notification.class.getName(), "a report of Lockwatch"));
        this.stats = stats;
        this.waits = waits;
        this.version = version;
        this.options = options;
        this.orders = orders;
        this.ordersNow = ordersNow;
        this.log = log;
    }

    @Override
    public void checked(Sample sample, long check) {
        if (!registered) {
            registered = true;
            register();
        }
    }

    /**
     * Registers it in the platform MBean server. Never throws: a failure (no JMX in this runtime, a security
     * manager, a name taken) is one warning line, and Lockwatch runs on without it.
     */
    private void register() {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(this, new ObjectName(OBJECT_NAME));
        } catch (Throwable t) {
            log.notice("MBean " + OBJECT_NAME + " not registered (" + SafeText.plain(String.valueOf(t))
                    + "); detection runs on", true);
        }
    }

    @Override
    public void event(Event event) {
        Notification n = new Notification("dev.lockwatch." + event.kind().name(), OBJECT_NAME,
                sequence.incrementAndGet(), System.currentTimeMillis(), event.headline());
        n.setUserData(event.text());
        sendNotification(n);
    }

    @Override
    public String getVersion() {
        return version;
    }

    @Override
    public String getOptions() {
        return options.get();
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
    public long getHangCount() {
        return stats.reported(EventKind.HANG);
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
    public long getRecordedOrderCount() {
        return orders.getAsLong();
    }

    @Override
    public long getGraphOrderCount() {
        return ordersNow.getAsLong();
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
