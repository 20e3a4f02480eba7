package dev.lockwatch.agent.ops;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decisions of {@link Alerting}, with a recording log, dump writer and halt: no agent, no JVM halted. */
class AlertingTest {
    private final List<String> lines = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<String> dumps = new ArrayList<>();
    private final List<Integer> halts = new ArrayList<>();
    private final Stats stats = new Stats();
    private long now = 1_000_000_000L;

    private final EventLog log = new EventLog() {
        @Override
        public void event(Event event) {
            events.add(event);
            lines.add("EVENT " + event.headline());
        }

        @Override
        public void info(String message) {
            lines.add("INFO " + message);
        }

        @Override
        public void warn(String message) {
            lines.add("WARN " + message);
        }

        @Override
        public void close() {
            lines.add("CLOSED");
        }
    };

    private Alerting alerting(Alerting.Policy policy) {
        return new Alerting(log, stats, new FlightEvents(log), (dir, event) -> {
            dumps.add(event.fingerprint());
            lines.add("DUMP " + event.fingerprint());
            return Path.of("dump.txt");
        }, code -> {
            halts.add(code);
            lines.add("HALT " + code);
        }, 4242, "box", () -> now, policy);
    }

    private static Alerting.Policy policy(String remind, String suppress, String onDeadlock) {
        return new Alerting.Policy(remind == null ? null : Duration.parse(remind),
                suppress == null ? Suppression.NONE : Suppression.parse(suppress), OnDeadlock.parse(onDeadlock), null);
    }

    @Test
    void aDeadlockIsLoggedWithItsFieldsAndCounted() {
        Alerting a = alerting(Alerting.Policy.DEFAULT);

        a.deadlock(Reports.deadlock("00000000000000aa", "one", "two", "com.example.App"));

        assertEquals(1, events.size());
        Event e = events.get(0);
        assertEquals(EventKind.DEADLOCK, e.kind());
        assertTrue(e.headline().startsWith("DEADLOCK: 2 threads"), e.headline());
        Map<String, String> f = e.fields().stream().collect(Collectors.toMap(Event.Field::key, Event.Field::value));
        assertEquals("kind", e.fields().get(0).key(), "kind comes first");
        assertEquals("DEADLOCK", f.get("kind"));
        assertEquals("00000000000000aa", f.get("fingerprint"));
        assertEquals("4242", f.get("pid"));
        assertEquals("box", f.get("host"));
        assertEquals("0", f.get("reminder"));
        assertEquals("one", f.get("thread.0.name"));
        assertEquals("two", f.get("thread.0.waits.holder"));
        assertEquals("com.example.App.a(X.java:10)", f.get("thread.0.holds.0.site"));
        assertEquals("com.example.App.a(App.java:12)", f.get("thread.0.stack.1"));
        assertEquals("BLOCKED", f.get("thread.1.state"));
        assertFalse(f.containsKey("thread.1.waits.ms"), "unknown wait time left out");
        assertEquals(1, stats.reported(EventKind.DEADLOCK));
        assertTrue(stats.lastReport().contains("00000000000000aa"));
        assertEquals(List.of(), halts);
    }

    @Test
    void aSuppressedReportIsCountedNotLoggedAndNeverRemindedOf() {
        Alerting a = alerting(policy("PT1S", "com.example.Legacy*", "exit=3"));

        a.deadlock(Reports.deadlock("00000000000000bb", "one", "two", "com.example.Legacy"));
        now += Duration.ofSeconds(5).toNanos();

        assertEquals(List.of(), lines, "nothing logged, no action");
        assertEquals(1, stats.suppressed());
        assertEquals(0, stats.reported(EventKind.DEADLOCK));
        assertFalse(a.remindNow("00000000000000bb"));
    }

    @Test
    void aReportWithOneSiteOutsideThePatternsIsNotSuppressed() {
        Alerting a = alerting(policy(null, "com.example.Legacy.a", "log"));

        a.deadlock(Reports.deadlock("00000000000000cc", "one", "two", "com.example.Legacy"));

        assertEquals(1, events.size());
        assertEquals(0, stats.suppressed());
    }

    @Test
    void remindersComeAfterTheDurationSayWhichOneTheyAreAndTriggerNoAction() {
        Alerting a = alerting(policy("PT30S", null, "dump"));
        a.deadlock(Reports.deadlock("00000000000000dd", "one", "two", "com.example.App"));
        assertEquals(List.of("00000000000000dd"), dumps);

        now += Duration.ofSeconds(29).toNanos();
        assertFalse(a.remindNow("00000000000000dd"));
        now += Duration.ofSeconds(1).toNanos();
        assertTrue(a.remindNow("00000000000000dd"));
        a.deadlock(Reports.deadlock("00000000000000dd", "one", "two", "com.example.App"));
        assertFalse(a.remindNow("00000000000000dd"), "the clock restarts at each reminder");

        assertEquals(2, events.size());
        Event reminder = events.get(1);
        assertTrue(reminder.headline().contains("(reminder 1: still there"), reminder.headline());
        assertTrue(reminder.fields().contains(new Event.Field("reminder", "1")));
        assertTrue(reminder.fields().stream().anyMatch(f -> f.key().equals("firstReported")));
        assertEquals(List.of("00000000000000dd"), dumps, "no second dump");
        assertEquals(1, stats.reported(EventKind.DEADLOCK));
        assertEquals(1, stats.reminders());
    }

    @Test
    void remindIsOffByDefault() {
        Alerting a = alerting(Alerting.Policy.DEFAULT);
        a.deadlock(Reports.deadlock("00000000000000ee", "one", "two", "com.example.App"));
        now += Duration.ofDays(1).toNanos();

        assertFalse(a.remindNow("00000000000000ee"));
    }

    @Test
    void aFindingThatWentAwayIsNewWhenItFormsAgain() {
        Alerting a = alerting(policy("PT1S", null, "log"));
        a.deadlock(Reports.deadlock("00000000000000ff", "one", "two", "com.example.App"));
        a.stillPresent(Set.of());

        a.deadlock(Reports.deadlock("00000000000000ff", "one", "two", "com.example.App"));

        assertEquals(2, stats.reported(EventKind.DEADLOCK));
        assertFalse(events.get(1).headline().contains("reminder"));
    }

    @Test
    void exitHaltsAfterTheEventIsLoggedAndTheDumpWritten() {
        Alerting a = alerting(policy(null, null, "dump+exit=7"));

        a.deadlock(Reports.deadlock("0000000000000011", "one", "two", "com.example.App"));

        assertEquals(List.of(7), halts);
        List<String> order = lines.stream().map(l -> l.split(" ")[0]).collect(Collectors.toList());
        assertEquals(List.of("EVENT", "DUMP", "INFO", "WARN", "CLOSED", "HALT"), order, String.valueOf(lines));
        assertTrue(lines.get(3).contains("exit code 7"), lines.get(3));
        lines.forEach(l -> assertFalse(!l.startsWith("EVENT") && l.contains("DEADLOCK"), "only events carry the kind: " + l));
    }

    @Test
    void starvationIsActedUponLikeADeadlock() {
        Alerting a = alerting(policy(null, null, "exit=4"));

        a.starvation(Reports.starvation("0000000000000022", "com.example.Pool"));

        assertEquals(List.of(4), halts);
        assertEquals(EventKind.STARVATION, events.get(0).kind());
        assertTrue(events.get(0).fields().contains(new Event.Field("queued.0.waitedBy.0", "pool-1-thread-1")));
    }

    @Test
    void warningsAreNeverActedUpon() {
        Alerting a = alerting(policy(null, null, "dump+exit=5"));

        a.heldWhileBlocking(Reports.heldWhileBlocking("0000000000000033", "com.example.Svc"));

        assertEquals(1, events.size());
        assertEquals(EventKind.HELD_WHILE_BLOCKING, events.get(0).kind());
        assertEquals(List.of(), halts);
        assertEquals(List.of(), dumps);
        assertEquals(1, stats.reported(EventKind.HELD_WHILE_BLOCKING));
    }

    @Test
    void aFailedDumpIsOneWarningAndTheExitStillHappens() {
        Alerting a = new Alerting(log, stats, new FlightEvents(log), (dir, event) -> {
            throw new java.io.IOException("disk full DEADLOCK\nx");
        }, halts::add, 1, "h", () -> now, policy(null, null, "dump+exit=9"));

        a.deadlock(Reports.deadlock("0000000000000044", "one", "two", "com.example.App"));

        assertTrue(lines.stream().anyMatch(l -> l.startsWith("WARN could not write the thread dump for fingerprint 0000000000000044")
                && l.contains("disk full deadlock\\u000ax")), String.valueOf(lines));
        assertEquals(List.of(9), halts);
    }
}
