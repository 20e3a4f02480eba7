package dev.lockwatch.demo;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One half of a lock-order inversion per scenario, for two JVMs: {@code lock-order-half-a} takes the ledger's
 * accounts lock, then its audit monitor; {@code lock-order-half-b} the other way round. Neither run alone has a
 * cycle; run one after the other with the same {@code lockOrderFile}, the second sees the inversion, as a test suite
 * sees it when the two halves run in different test classes, each in its own forked JVM.
 */
final class LockOrderHalves implements Scenario {

    /** The locks, named the same in every run by their fields. */
    static final class Ledger {
        final ReentrantLock accounts = new ReentrantLock();
        final Object audit = new Object();
    }

    private final boolean accountsFirst;

    private LockOrderHalves(boolean accountsFirst) {
        this.accountsFirst = accountsFirst;
    }

    static LockOrderHalves first() {
        return new LockOrderHalves(true);
    }

    static LockOrderHalves second() {
        return new LockOrderHalves(false);
    }

    @Override
    public String name() {
        return accountsFirst ? "lock-order-half-a" : "lock-order-half-b";
    }

    @Override
    public String description() {
        return accountsFirst
                ? "accounts lock, then audit monitor; with lock-order-half-b in another JVM and lockOrderFile (LOCK_ORDER)"
                : "audit monitor, then accounts lock; reported when lock-order-half-a ran before with the same lockOrderFile";
    }

    @Override
    public void run(Deadline end) throws InterruptedException {
        Ledger ledger = new Ledger();
        new OrderRun()
                .thread(accountsFirst ? "posting" : "auditor", () -> take(ledger))
                .run(name(), end);
    }

    private void take(Ledger ledger) {
        if (accountsFirst) {
            ledger.accounts.lock();
            try {
                synchronized (ledger.audit) {
                    ledger.audit.hashCode();
                }
            } finally {
                ledger.accounts.unlock();
            }
        } else {
            synchronized (ledger.audit) {
                ledger.accounts.lock();
                try {
                    ledger.audit.hashCode();
                } finally {
                    ledger.accounts.unlock();
                }
            }
        }
    }
}
