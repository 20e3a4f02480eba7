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
 * @param waiting the records of the threads that waited (a lock or a future) when the sample was taken
 */
public record Sample(WaitForGraph graph, LongTable<Thread> threads, LongTable<ThreadRecord> records,
                     List<QueuedWait> queued, List<PoolState> pools, Map<LockRef, Object> poolObjects,
                     List<ThreadRecord> waiting) {
}
