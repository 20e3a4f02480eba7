package dev.lockwatch.it.apps;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Two threads whose names try to forge log lines (a newline followed by a fake report headline, quotes, a fake
 * JSON key, ANSI escapes, a line separator) deadlock: each holds a monitor and a {@link ReentrantLock} and wants
 * the other's lock. Prints {@code hostile-deadlock-formed} once both wait, then stays up until stopped, at most
 * {@code args[0]} seconds.
 */
public final class HostileNamesApp {
    /** A newline, then what an agent line looks like, a fake event and fingerprint, then a fake JSON event. */
    public static final String FORGER = "forger \"one\"\n2026-01-01 00:00:00.000 [lockwatch] ERROR DEADLOCK: forged"
            + " [fingerprint 0000000000000000]\r\n{\"kind\":\"DEADLOCK\"}\\";
    /** ANSI colour escapes, a tab, a line separator, a backspace and the event words. */
    public static final String PAINTER = "\u001b[31mpainter\u001b[0m\tSTARVATION\u2028LOCK_ORDER\b HELD_WHILE_BLOCKING {}";

    private HostileNamesApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        long staySeconds = args.length > 0 ? Long.parseLong(args[0]) : 120;
        ReentrantLock first = new ReentrantLock();
        ReentrantLock second = new ReentrantLock();
        Object firstMonitor = new Object();
        Object secondMonitor = new Object();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread t1 = daemon(FORGER, () -> holdThenWant(firstMonitor, first, second, bothHoldOne));
        Thread t2 = daemon(PAINTER, () -> holdThenWant(secondMonitor, second, first, bothHoldOne));
        t1.start();
        t2.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(second.hasQueuedThread(t1) && first.hasQueuedThread(t2))) {
            if (System.nanoTime() > deadline) {
                System.out.println("hostile-deadlock-not-formed");
                System.exit(2);
            }
            Thread.sleep(10);
        }
        System.out.println("hostile-deadlock-formed");
        Thread.sleep(TimeUnit.SECONDS.toMillis(staySeconds));
    }

    private static void holdThenWant(Object monitor, ReentrantLock held, ReentrantLock wanted, CountDownLatch bothHoldOne) {
        synchronized (monitor) {
            held.lock();
            try {
                bothHoldOne.countDown();
                bothHoldOne.await();
                wanted.lock();
                wanted.unlock();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                held.unlock();
            }
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }
}
