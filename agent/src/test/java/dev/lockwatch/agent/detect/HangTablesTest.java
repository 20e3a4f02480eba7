package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.sites.MonitorSites;
import dev.lockwatch.agent.sites.SiteTable;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, item 4: HANG keeps its tables of waiting and alive threads from check to check (so that a check with
 * 10,000 waiting threads is one lookup each, issue 10 item 6); once those threads have ended, the next check must
 * forget them and size its tables for the threads that remain: nothing the watchdog keeps grows with threads that
 * have ended. No timing: the checks are called directly.
 */
class HangTablesTest {
    private static final int THREADS = 2_000;

    @Test
    void tablesForgetAndShrinkOnceTheirThreadsHaveEnded() throws Exception {
        HangDetector hang = new HangDetector(ManagementFactory.getThreadMXBean(), new dev.lockwatch.agent.jdk.JdkLocks(false),
                new dev.lockwatch.agent.jdk.JdkThreads(), new Handoffs(new dev.lockwatch.agent.jdk.JdkTasks()),
                new ReportBuilder(ManagementFactory.getThreadMXBean(), new dev.lockwatch.agent.jdk.JdkLocks(false),
                        new SiteTable(), new MonitorSites()), Duration.ofSeconds(30));
        hang.find(null, new ArrayList<>());
        int[] idle = hang.tracked();

        CountDownLatch release = new CountDownLatch(1);
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Thread t = new Thread(null, () -> {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    // ends
                }
            }, "hang-tables-" + i, 64 * 1024);
            t.setDaemon(true);
            t.start();
            waiters.add(t);
        }
        long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!waiters.stream().allMatch(t -> t.getState() == Thread.State.WAITING) && System.nanoTime() < bound) {
            Thread.sleep(10);
        }
        List<Finding> findings = new ArrayList<>();
        hang.find(null, findings);
        int[] busy = hang.tracked();
        assertTrue(busy[0] >= THREADS && busy[1] >= THREADS, "the waiting threads are followed: " + busy[0] + ", " + busy[1]);
        assertEquals(List.of(), findings, "30 s have not passed: nothing to say");

        release.countDown();
        for (Thread t : waiters) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        hang.find(null, new ArrayList<>());
        int[] after = hang.tracked();
        assertTrue(after[0] < idle[0] + 100 && after[1] < idle[1] + 100,
                "ended threads are forgotten: " + after[0] + " waits and " + after[1] + " alive still followed");
        assertTrue(after[2] < THREADS / 4 && after[3] < THREADS / 4,
                "the tables are sized again for the threads that remain: high-water marks " + after[2] + ", " + after[3]);
    }
}
