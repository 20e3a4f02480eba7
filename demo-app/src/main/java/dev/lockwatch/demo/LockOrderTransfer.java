package dev.lockwatch.demo;

/**
 * The classic inversion: {@code transfer(from, to)} locks the two accounts' monitors in argument order, and two
 * transfers go opposite ways. Here they run one after the other, so nothing hangs; run at the same time, they
 * deadlock.
 */
final class LockOrderTransfer implements Scenario {

    static final class Account {
        long balance = 100;
    }

    private final Account checking = new Account();
    private final Account savings = new Account();

    @Override
    public String name() {
        return "lock-order-transfer";
    }

    @Override
    public String description() {
        return "two transfers lock two account monitors in opposite orders, one after the other (LOCK_ORDER)";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        new OrderRun()
                .thread("transfer-checking-to-savings", () -> transfer(checking, savings, 10))
                .thread("transfer-savings-to-checking", () -> transfer(savings, checking, 5))
                .run(name(), end);
    }

    private static void transfer(Account from, Account to, long amount) {
        synchronized (from) {
            synchronized (to) {
                from.balance -= amount;
                to.balance += amount;
            }
        }
    }
}
