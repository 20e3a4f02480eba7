package dev.lockwatch.agent.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Locks taken in orders that close a cycle: no thread waits yet, but threads that take these orders at the same
 * time deadlock. One report per distinct cycle of acquisition sites.
 *
 * @param timed  some inner acquisition of the cycle is a {@code tryLock} with a timeout: such a deadlock ends by
 *               itself with a failed {@code tryLock}
 * @param orders the cycle, in order: the lock each order takes is the one the next order holds
 */
public record LockOrderReport(String fingerprint, boolean timed, List<Order> orders) implements Report {
    public LockOrderReport {
        orders = List.copyOf(orders);
    }

    /**
     * One order of the cycle: {@code held} was held when {@code taken} was acquired.
     *
     * @param held        the lock held, as the report names locks ({@code monitor com.example.Account@1b6d3586})
     * @param heldSite    where it was acquired, or null
     * @param taken       the lock then acquired
     * @param takenSite   where that acquisition is
     * @param timed       that acquisition is a {@code tryLock} with a timeout
     * @param thread      the thread that first took this order
     * @param firstMillis when, epoch milliseconds
     * @param stack       that thread's stack at that moment, innermost first
     * @param earlierRun  null when this JVM took the order; else which earlier run did ({@code lockOrderFile})
     */
    public record Order(String held, String heldSite, String taken, String takenSite, boolean timed, String thread,
                        long firstMillis, List<StackTraceElement> stack, String earlierRun) {
        public Order {
            stack = List.copyOf(stack);
        }
    }

    @Override
    public EventKind kind() {
        return EventKind.LOCK_ORDER;
    }

    @Override
    public List<String> threadNames() {
        List<String> names = new ArrayList<>();
        for (Order o : orders) {
            if (o.earlierRun() == null && !names.contains(o.thread())) {
                names.add(o.thread());
            }
        }
        return names;
    }

    @Override
    public List<String> sites() {
        List<String> sites = new ArrayList<>();
        for (Order o : orders) {
            Sites.add(sites, o.heldSite());
            Sites.add(sites, o.takenSite());
        }
        return sites;
    }

    /** Whether one of the orders was taken in an earlier run, read from the lock-order file. */
    public boolean acrossRuns() {
        for (Order o : orders) {
            if (o.earlierRun() != null) {
                return true;
            }
        }
        return false;
    }
}
