package dev.lockwatch.agent.ops;

import dev.lockwatch.agent.detect.Sample;
import dev.lockwatch.agent.detect.Watchdog;

import java.util.Set;

/**
 * What the operations side learns from each check of the watchdog: the graph it sampled (for the MBean and dumps),
 * which findings are still present (for reminders), how many checks ran. The first check also registers the MBean:
 * on the watchdog thread, not in {@code premain}, so that the platform MBean server is not created while the JVM
 * starts (some application servers must set it up themselves first).
 */
public final class CheckHooks implements Watchdog.Hooks {
    private final Alerting alerting;
    private final Stats stats;
    private final CurrentWaits waits;
    private final Runnable onFirstCheck;

    public CheckHooks(Alerting alerting, Stats stats, CurrentWaits waits, Runnable onFirstCheck) {
        this.alerting = alerting;
        this.stats = stats;
        this.waits = waits;
        this.onFirstCheck = onFirstCheck;
    }

    @Override
    public void sampled(Sample sample) {
        waits.update(sample);
    }

    @Override
    public boolean remindNow(String fingerprint) {
        return alerting.remindNow(fingerprint);
    }

    @Override
    public void checked(Set<String> present) {
        alerting.stillPresent(present);
        if (stats.checked() == 1) {
            onFirstCheck.run();
        }
    }
}
