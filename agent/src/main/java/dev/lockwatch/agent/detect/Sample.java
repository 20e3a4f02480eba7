package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.LockRef;
import dev.lockwatch.agent.graph.LongTable;
import dev.lockwatch.agent.graph.PoolState;
import dev.lockwatch.agent.graph.QueuedWait;
import dev.lockwatch.agent.graph.WaitForGraph;
import dev.lockwatch.bootstrap.ThreadRecord;

import java.util.List;
import java.util.Map;

/**
 * One check's view: the wait-for graph plus the live objects needed to describe its threads in a report.
 * Short-lived: dropped at the end of the check, so it keeps nothing alive.
 *
 * @param waiting  the records of the threads that waited (a lock or a future) when the sample was taken
 * @param platform the JVM's live platform threads as the sample read them, or null when it did not
 * @param states   their states, read once for the sample and the detectors after it (null with {@code platform})
 */
public record Sample(WaitForGraph graph, LongTable<Thread> threads, LongTable<ThreadRecord> records,
                     List<QueuedWait> queued, List<PoolState> pools, Map<LockRef, Object> poolObjects,
                     List<ThreadRecord> waiting, Thread[] platform, Thread.State[] states) {
}
