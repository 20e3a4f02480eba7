package dev.lockwatch.agent.detect;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A detector's due moment between two ticks brings the next check forward; stale or late ones do not. */
class WatchdogDueTest {
    private static final long SECOND = 1_000_000_000L;

    /** A detector that finds nothing and says when it wants the next check. */
    static final class DueAt implements Detector, Due {
        volatile long due;
        final CountDownLatch checked = new CountDownLatch(1);

        DueAt(long due) {
            this.due = due;
        }

        @Override
        public void find(Sample sample, List<Finding> findings) {
            checked.countDown();
        }

        @Override
        public long dueNanos() {
            return due;
        }
    }

    private static final FindingSink NOTHING = new FindingSink() {
        @Override
        public void checked(Sample sample, List<Finding> findings) {
        }

        @Override
        public void between(List<Finding> hazards) {
        }

        @Override
        public void notice(String line) {
        }

        @Override
        public void problem(String message, Throwable cause) {
            throw new AssertionError(message, cause);
        }
    };

    private static Watchdog watchdog(Detector d, Duration interval) {
        Sampler none = new Sampler() {
            @Override
            public Sample sample() {
                return null;
            }

            @Override
            public boolean confirm(dev.lockwatch.agent.graph.Cycle cycle) {
                return false;
            }
        };
        return new Watchdog(none, List.of(d), NOTHING, interval);
    }

    @Test
    void aDueMomentBeforeTheTickIsWhenTheNextCheckRuns() {
        long now = System.nanoTime();
        DueAt d = new DueAt(now + SECOND / 5);
        Watchdog w = watchdog(d, Duration.ofSeconds(10));
        assertEquals(now + SECOND / 5, w.checkAt(now + 10 * SECOND));
    }

    @Test
    void anEarlyCheckWaitsTenTimesTheLastChecksCostAfterIt() throws Exception {
        long now = System.nanoTime();
        DueAt d = new DueAt(now + SECOND / 1000); // due 1 ms from now
        Watchdog w = watchdog(d, Duration.ofSeconds(10));
        java.lang.reflect.Field last = Watchdog.class.getDeclaredField("lastCheckNanos");
        java.lang.reflect.Field cost = Watchdog.class.getDeclaredField("lastCheckCost");
        last.setAccessible(true);
        cost.setAccessible(true);
        last.setLong(w, now);
        cost.setLong(w, SECOND / 100); // the last check took 10 ms
        assertEquals(now + SECOND / 10, w.checkAt(now + 10 * SECOND), "not before 100 ms after the last check");
        cost.setLong(w, 2 * SECOND); // 20 s, more than the interval: the tick comes first
        assertEquals(now + 10 * SECOND, w.checkAt(now + 10 * SECOND));
        d.due = now + 5 * SECOND;
        cost.setLong(w, SECOND / 100);
        assertEquals(now + 5 * SECOND, w.checkAt(now + 10 * SECOND), "a due moment past the gap is kept");
    }

    @Test
    void noneJustBeforeTheTickOrAfterItLeavesTheTick() {
        long now = System.nanoTime();
        long tick = now + 10 * SECOND;
        assertEquals(tick, watchdog(new DueAt(Due.NONE), Duration.ofSeconds(10)).checkAt(tick));
        assertEquals(tick, watchdog(new DueAt(tick - 1_000_000L), Duration.ofSeconds(10)).checkAt(tick),
                "1 ms before the tick: the tick serves it");
        assertEquals(tick, watchdog(new DueAt(tick + SECOND), Duration.ofSeconds(10)).checkAt(tick));
    }

    @Test
    void aDueMomentFromBeforeTheLastCheckIsStaleAndIgnored() {
        DueAt d = new DueAt(System.nanoTime() - SECOND); // before the watchdog was built: its detector failed
        Watchdog w = watchdog(d, Duration.ofSeconds(10));
        long tick = System.nanoTime() + 10 * SECOND;
        assertEquals(tick, w.checkAt(tick), "a failing detector must not make the watchdog spin");
    }

    @Test
    void theRunningWatchdogChecksAtTheDueMomentNotAtTheEndOfItsInterval() throws InterruptedException {
        DueAt d = new DueAt(System.nanoTime() + SECOND / 5);
        Watchdog w = watchdog(d, Duration.ofSeconds(60));
        Thread t = new Thread(w, "watchdog-under-test");
        t.setDaemon(true);
        t.start();
        try {
            // Without the due moment the first check would come after 60 s.
            assertTrue(d.checked.await(20, TimeUnit.SECONDS), "no check at the due moment");
        } finally {
            w.stop();
            t.join(10_000);
        }
    }
}
