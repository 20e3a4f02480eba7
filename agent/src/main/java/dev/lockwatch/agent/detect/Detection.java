package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.jdk.JdkLocks;
import dev.lockwatch.agent.jdk.JdkTasks;
import dev.lockwatch.agent.jdk.JdkThreads;
import dev.lockwatch.agent.sites.MonitorSites;
import dev.lockwatch.agent.sites.SiteTable;

import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The live detection parts, built together: the sampler, the report builder and the detectors, in the order they
 * run (stuck threads first, then the hazards that must not repeat them). The agent and the tick-cost benchmark
 * build them the same way.
 */
public final class Detection {
    public final LiveSampler sampler;
    public final ReportBuilder reports;
    /** The LOCK_ORDER detector, or null when lock-order checking is off. */
    public final LockOrderDetector lockOrders;
    private final List<Detector> detectors = new ArrayList<>();
    private final ThreadMXBean mx;
    private final JdkLocks locks;

    public Detection(ThreadMXBean mx, SiteTable sites, MonitorSites monitorSites, boolean attached)
            throws ReflectiveOperationException {
        this(mx, sites, monitorSites, attached, false);
    }

    public Detection(ThreadMXBean mx, SiteTable sites, MonitorSites monitorSites, boolean attached, boolean lockOrder)
            throws ReflectiveOperationException {
        this(mx, sites, monitorSites, attached, lockOrder, null, null, false);
    }

    /**
     * {@code lockOrderFile}: the file of lock orders across runs, or null; {@code run}: this run, as the file names it;
     * {@code permits}: whether semaphore permit holders are recorded ({@code permits=on}), so that a wait for a
     * permit has edges.
     */
    public Detection(ThreadMXBean mx, SiteTable sites, MonitorSites monitorSites, boolean attached, boolean lockOrder,
                     LockOrderFile lockOrderFile, String run, boolean permits) throws ReflectiveOperationException {
        this.mx = mx;
        locks = new JdkLocks(permits);
        lockOrders = lockOrder ? new LockOrderDetector(locks, sites, lockOrderFile, run) : null;
        sampler = new LiveSampler(mx, locks, new JdkTasks(), new JdkThreads(), attached, permits,
                new ClassInitWaits(mx, monitorSites.classes(), monitorSites.bytes()));
        reports = new ReportBuilder(mx, locks, sites, monitorSites);
        detectors.add(new DeadlockDetector(sampler, reports));
        detectors.add(new StarvationDetector(reports));
    }

    /** Adds a detector of threads stuck for good, after the built-in ones. */
    public Detection with(Detector detector) {
        detectors.add(detector);
        return this;
    }

    /** Adds HANG detection (threads stuck for good without a cycle); a null {@code hangAfter} leaves it off. */
    public Detection withHangs(Duration hangAfter) throws ReflectiveOperationException {
        if (hangAfter != null) {
            with(new HangDetector(mx, locks, new JdkThreads(), new Handoffs(new JdkTasks()), reports, hangAfter));
        }
        return this;
    }

    /** The detectors, hazards last: HELD_WHILE_BLOCKING sees what the others found. */
    public List<Detector> detectors() {
        List<Detector> all = new ArrayList<>(detectors);
        all.add(new HeldWhileBlockingDetector(reports));
        if (lockOrders != null) {
            all.add(lockOrders);
        }
        return all;
    }
}
