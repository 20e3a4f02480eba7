package dev.lockwatch.demo;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * A ReentrantLock cycle entirely inside the JDK: ArrayBlockingQueue.drainTo holds its own lock while it calls
 * add() on the target queue, which takes the target's lock. The application takes no lock itself; its only part is
 * the hand-off in {@link HandOffQueue#add}, which makes both drains hold their lock before either adds.
 */
final class QueueDrainCycle implements Scenario {

    /** A queue whose add() first waits until every drain holds its source queue's lock. */
    private static final class HandOffQueue extends ArrayBlockingQueue<Integer> {
        private static final long serialVersionUID = 1L;

        private final DeadlockRun deadlock;

        HandOffQueue(DeadlockRun deadlock) {
            super(2); // room for the element drained in, so add() cannot fail with "Queue full"
            this.deadlock = deadlock;
        }

        @Override
        public boolean add(Integer element) {
            try {
                deadlock.firstLockHeld();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during hand-off", e);
            }
            return super.add(element);
        }
    }

    private final DeadlockRun deadlock = new DeadlockRun();
    private final HandOffQueue q1 = new HandOffQueue(deadlock);
    private final HandOffQueue q2 = new HandOffQueue(deadlock);

    QueueDrainCycle() {
        // offer(), not add(): filling the queues must not wait for the hand-off
        q1.offer(1);
        q2.offer(2);
    }

    @Override
    public String name() {
        return "queue-drain";
    }

    @Override
    public String description() {
        return "two ArrayBlockingQueues drainTo() each other: a ReentrantLock cycle entirely inside the JDK";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        deadlock.thread("drain-1-to-2", () -> q1.drainTo(q2))
                .thread("drain-2-to-1", () -> q2.drainTo(q1))
                .run(name(), end);
    }
}
