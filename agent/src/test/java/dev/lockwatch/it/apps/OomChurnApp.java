package dev.lockwatch.it.apps;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Run at {@code -Xmx32m}: threads take locks and fill the heap until OutOfMemoryError, over and over, so that the
 * watchdog's checks run out of memory too. Then the heap recovers and two threads deadlock: that deadlock must still
 * be reported.
 */
public final class OomChurnApp {
    static volatile List<Object> hog;

    private OomChurnApp() {
    }

    public static void main(String[] args) throws Exception {
        long millis = args.length > 0 ? Long.parseLong(args[0]) : 3000;
        waitForTwoChecks();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long[] ooms = new long[1];
        List<Thread> churn = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                ReentrantLock lock = new ReentrantLock();
                while (System.nanoTime() < end) {
                    List<Object> mine = new ArrayList<>();
                    try {
                        while (System.nanoTime() < end) {
                            lock.lock();
                            try {
                                mine.add(new long[16 * 1024]);
                            } finally {
                                lock.unlock();
                            }
                            hog = mine;
                        }
                    } catch (OutOfMemoryError e) {
                        mine = null;
                        hog = null;
                        synchronized (ooms) {
                            ooms[0]++;
                        }
                    }
                }
            }, "churn-" + i);
            churn.add(t);
            t.start();
        }
        for (Thread t : churn) {
            t.join();
        }
        hog = null;
        System.gc();
        System.out.println("oom-churn: heap recovered after " + ooms[0] + " OutOfMemoryErrors; deadlocking");
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        Thread t1 = new Thread(() -> both(a, b), "oom-A-then-B");
        Thread t2 = new Thread(() -> both(b, a), "oom-B-then-A");
        t1.setDaemon(true);
        t2.setDaemon(true);
        t1.start();
        t2.start();
        t1.join();
    }

    /**
     * The churn starts once the agent has made two checks (its MBean says so; bounded): what is tested is that checks
     * that run out of memory do not end the watchdog. Out of memory within the first interval, before the first check
     * has used what the checks need, can leave a JDK class unusable for good (README, Limits); the ThreadMXBean, the
     * worst of them, has its own test (PoisonedManagementApp).
     */
    private static void waitForTwoChecks() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.lockwatch:type=Lockwatch");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (server.isRegistered(name) && (Long) server.getAttribute(name, "CheckCount") >= 2) {
                System.out.println("oom-churn: the agent has made two checks; churning");
                return;
            }
            Thread.sleep(10); // polling a condition, with a bound
        }
        System.out.println("oom-churn: no agent's MBean after 30 s; churning anyway");
    }

    private static void both(ReentrantLock first, ReentrantLock second) {
        first.lock();
        Pause.pause(200);
        second.lock();
    }
}
