package dev.lockwatch.agent.graph;

/**
 * A thread waits for a task that is still queued in a pool: it waits for the pool's workers, any one of which
 * could take the task.
 *
 * @param taskName what the task is (its class, and the application's callable inside it)
 */
public record QueuedWait(long waiter, LockRef task, String taskName, LockRef pool, long episode) {
}
