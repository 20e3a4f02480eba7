package dev.lockwatch.demo;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The scenarios by name, in the order {@code list} prints them. */
final class ScenarioRegistry {

    private final Map<String, Scenario> byName = new LinkedHashMap<>();

    /** Every scenario the demo ships. Creating one only builds its locks; nothing runs until {@link Scenario#run}. */
    static ScenarioRegistry standard() {
        return new ScenarioRegistry()
                .add(new MonitorAbba())
                .add(new LockAbba())
                .add(new MixedCycle())
                .add(new ReadWriteCycle())
                .add(new ReadWriteUpgrade())
                .add(new ThreeLockRing())
                .add(new TimedCycle())
                .add(new HashtableCycle())
                .add(new SynchronizedListCycle())
                .add(new QueueDrainCycle())
                .add(new FutureLockCycle())
                .add(new JoinMonitorCycle())
                .add(new ChainLockCycle(false))
                .add(new ChainLockCycle(true))
                .add(new CacheDeadlock())
                .add(new CacheFixed())
                .add(new HeldAcrossGet())
                .add(new SingleThreadStarvation())
                .add(new PoolStarvation())
                .add(new ChainStarvation())
                .add(new VirtualDeadlocks.LockAbba())
                .add(new VirtualDeadlocks.Mixed())
                .add(new VirtualDeadlocks.Handoff())
                .add(new VirtualRegistry())
                .add(new LockOrderTransfer())
                .add(new LockOrderMixed())
                .add(new LockOrderRing())
                .add(new LockOrderReadWrite())
                .add(LockOrderHealthy.timed())
                .add(LockOrderHealthy.gate())
                .add(LockOrderHealthy.readOnly())
                .add(LockOrderHealthy.tryLock())
                .add(LockOrderHealthy.reentry())
                .add(LockOrderHealthy.oneThread())
                .add(LockOrderHealthy.manyLocks())
                .add(LockOrderHalves.first())
                .add(LockOrderHalves.second())
                .add(new LockOrderCollected())
                .add(new HealthyLocking())
                .add(new HealthyHandoffs())
                .addAll(ClassInitScenarios.all())
                .addAll(SemaphoreScenarios.all())
                .addAll(HangScenarios.all())
                .addAll(HangHealthy.all());
    }

    ScenarioRegistry addAll(List<Scenario> scenarios) {
        scenarios.forEach(this::add);
        return this;
    }

    ScenarioRegistry add(Scenario scenario) {
        if (byName.putIfAbsent(scenario.name(), scenario) != null) {
            throw new IllegalArgumentException("two scenarios named " + scenario.name());
        }
        return this;
    }

    Optional<Scenario> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    Collection<Scenario> all() {
        return byName.values();
    }

    List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
