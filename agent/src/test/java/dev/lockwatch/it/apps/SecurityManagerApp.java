package dev.lockwatch.it.apps;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Installs a {@code SecurityManager} (JDK 17 to 23, with {@code -Djava.security.manager=allow} and the policy the test
 * gives), then deadlocks two threads. Either the agent still reports the deadlock or it says plainly that its
 * detection is off and why.
 */
public final class SecurityManagerApp {
    private SecurityManagerApp() {
    }

    @SuppressWarnings("removal")
    public static void main(String[] args) throws Exception {
        System.setSecurityManager(new SecurityManager());
        System.out.println("security-manager: installed");
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        CountDownLatch holding = new CountDownLatch(2);
        Thread t1 = new Thread(() -> Abba.lockBoth(a, b, holding), "secured-A-then-B");
        Thread t2 = new Thread(() -> Abba.lockBoth(b, a, holding), "secured-B-then-A");
        t1.start();
        t2.start();
        t1.join();
    }

}
