package dev.lockwatch.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A synchronized list locks on itself, and removeAll calls the other list's synchronized contains() for each element,
 * so the second monitor is taken inside the JDK. The lists are non-empty, or contains() would never be called.
 */
final class SynchronizedListCycle implements Scenario {

    private final List<Integer> l1 = Collections.synchronizedList(new ArrayList<>(List.of(1, 2)));
    private final List<Integer> l2 = Collections.synchronizedList(new ArrayList<>(List.of(2, 3)));
    private final DeadlockRun deadlock = new DeadlockRun();

    @Override
    public String name() {
        return "synchronized-list";
    }

    @Override
    public String description() {
        return "two synchronized lists removeAll() each other; the second monitor is taken in the JDK";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        deadlock.thread("synclist-1", this::removeTwoFromOne)
                .thread("synclist-2", this::removeOneFromTwo)
                .run(name(), end);
    }

    private void removeTwoFromOne() throws InterruptedException {
        synchronized (l1) {
            deadlock.firstLockHeld();
            l1.removeAll(l2);
        }
    }

    private void removeOneFromTwo() throws InterruptedException {
        synchronized (l2) {
            deadlock.firstLockHeld();
            l2.removeAll(l1);
        }
    }
}
