package dev.lockwatch.demo;

import java.util.concurrent.locks.ReentrantLock;

/** Three locks, three threads, each taking two of them: A then B, B then C, C then A, one after the other. */
final class LockOrderRing implements Scenario {

    private final ReentrantLock a = new ReentrantLock();
    private final ReentrantLock b = new ReentrantLock();
    private final ReentrantLock c = new ReentrantLock();

    @Override
    public String name() {
        return "lock-order-ring";
    }

    @Override
    public String description() {
        return "three threads take A then B, B then C, C then A, one after the other (a LOCK_ORDER of three)";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        new OrderRun()
                .thread("ring-a-then-b", () -> OrderRun.nested(a, b))
                .thread("ring-b-then-c", () -> OrderRun.nested(b, c))
                .thread("ring-c-then-a", () -> OrderRun.nested(c, a))
                .run(name(), end);
    }
}
