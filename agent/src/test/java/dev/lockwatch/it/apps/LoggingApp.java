package dev.lockwatch.it.apps;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An application with its own SLF4J and Logback (unrelocated, on its class path) and its own
 * {@code logback.xml}, that deadlocks two {@link ReentrantLock}s in threads {@code app-thread-1} and
 * {@code app-thread-2}, then checks that its logging is still the one it configured.
 *
 * <p>Lines it prints: {@code app-started} (WARN), {@code app-debug} (DEBUG, must be filtered by the root level
 * WARN), {@code app-logging-intact} (WARN) once the deadlock formed and the checks passed, or
 * {@code app-logging-broken: ...} / {@code app-deadlock-not-formed} on {@code System.out} otherwise. It then
 * stays up until stopped, at most {@code args[0]} seconds (a bound in case the test that started it is gone).
 */
public final class LoggingApp {
    /** Not under {@code dev.lockwatch}: the application's configuration turns that logger off. */
    static final String LOGGER = "app";

    private LoggingApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        long staySeconds = args.length > 0 ? Long.parseLong(args[0]) : 120;
        Logger log = LoggerFactory.getLogger(LOGGER);
        log.warn("app-started");
        log.debug("app-debug");

        ReentrantLock first = new ReentrantLock();
        ReentrantLock second = new ReentrantLock();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread t1 = daemon("app-thread-1", () -> holdThenWant(first, second, bothHoldOne));
        Thread t2 = daemon("app-thread-2", () -> holdThenWant(second, first, bothHoldOne));
        t1.start();
        t2.start();

        // Each thread holds one lock before either asks for the other (the latch), so the cycle always forms;
        // it has formed once each thread is queued on the lock the other holds.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(second.hasQueuedThread(t1) && first.hasQueuedThread(t2))) {
            if (System.nanoTime() > deadline) {
                System.out.println("app-deadlock-not-formed");
                System.exit(2);
            }
            Thread.sleep(10);
        }

        String broken = loggingProblem();
        if (broken == null) {
            log.warn("app-logging-intact");
        } else {
            System.out.println("app-logging-broken: " + broken);
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(staySeconds));
    }

    /** Null when SLF4J is still bound to this application's Logback, configured by its logback.xml. */
    private static String loggingProblem() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext)) {
            return "logger factory is " + factory.getClass().getName();
        }
        LoggerContext ctx = (LoggerContext) factory;
        Level root = ctx.getLogger(Logger.ROOT_LOGGER_NAME).getLevel();
        if (root != Level.WARN) {
            return "root level is " + root;
        }
        Level lockwatch = ctx.getLogger("lockwatch").getLevel();
        if (lockwatch != Level.OFF) {
            return "logger 'lockwatch' level is " + lockwatch;
        }
        return null;
    }

    private static void holdThenWant(ReentrantLock held, ReentrantLock wanted, CountDownLatch bothHoldOne) {
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

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }
}
