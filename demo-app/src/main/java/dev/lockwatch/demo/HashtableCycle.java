package dev.lockwatch.demo;

import java.util.Hashtable;
import java.util.Map;

/**
 * The second monitor is taken inside the JDK: Hashtable.equals is synchronized on this table and calls the other
 * table's synchronized size(). The application never names the second lock, so its site is JDK code.
 */
final class HashtableCycle implements Scenario {

    private final Hashtable<String, Integer> h1 = new Hashtable<>(Map.of("key", 1));
    private final Hashtable<String, Integer> h2 = new Hashtable<>(Map.of("key", 1));
    private final DeadlockRun deadlock = new DeadlockRun();

    @Override
    public String name() {
        return "hashtable";
    }

    @Override
    public String description() {
        return "two Hashtables compared with equals() in opposite order; the second monitor is taken in the JDK";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        deadlock.thread("hashtable-1", this::compareOneToTwo)
                .thread("hashtable-2", this::compareTwoToOne)
                .run(name(), end);
    }

    private void compareOneToTwo() throws InterruptedException {
        synchronized (h1) {
            deadlock.firstLockHeld();
            h1.equals(h2);
        }
    }

    private void compareTwoToOne() throws InterruptedException {
        synchronized (h2) {
            deadlock.firstLockHeld();
            h2.equals(h1);
        }
    }
}
