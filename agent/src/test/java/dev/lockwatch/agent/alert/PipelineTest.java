package dev.lockwatch.agent.alert;

import dev.lockwatch.agent.detect.Finding;
import dev.lockwatch.agent.detect.Sample;
import dev.lockwatch.agent.report.EventKind;
import dev.lockwatch.agent.report.Field;
import dev.lockwatch.agent.report.Report;
import dev.lockwatch.agent.report.Reports;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one path from finding to output: the tracker (new / still there / gone), the policy (suppress, remind, act)
 * and the outputs, with hand-built findings, a recording output and recording actions: no agent, no JVM halted.
 */
class PipelineTest {
    private final List<String> lines = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<String> dumps = new ArrayList<>();
    private final List<Integer> halts = new ArrayList<>();
    private final Stats stats = new Stats();
    private long now = 1_000_000_000L;
    private long clock = 1_700_000_000_000L;

    private final Output recording = new Output() {
        @Override
        public void event(Event event) {
            events.add(event);
            lines.add("EVENT " + event.headline());
        }

        @Override
        public void notice(String line, boolean warning) {
            lines.add((warning ? "WARN " : "INFO ") + line);
        }
    };

    private final Actions actions = new Actions() {
        @Override
        public Path dump(Event event, Path directory) {
            dumps.add(event.fingerprint());
            lines.add("DUMP " + event.fingerprint());
            return Path.of("dump.txt");
        }

        @Override
        public void halt(int code) {
            halts.add(code);
            lines.add("HALT " + code);
        }
    };

    private Pipeline pipeline(Policy policy) {
        return new Pipeline(List.of(recording), actions, stats, 4242, "box", policy, () -> now, () -> clock);
    }

    private static Policy policy(String remind, String suppress, String onDeadlock) {
        return new Policy(remind == null ? null : Duration.parse(remind),
                suppress == null ? Suppression.NONE : Suppression.parse(suppress), Action.parse(onDeadlock), Action.LOG,
                Action.LOG, null);
    }

    private static Finding stuck(EventKind kind, String key, int checks, Supplier<Report> report) {
        return new Finding(kind, key, checks, Set.of(14L, 15L), report);
    }

    private static Finding deadlock(String key, String fingerprint, String cls) {
        return stuck(EventKind.DEADLOCK, key, 1, () -> Reports.deadlock(fingerprint, "one", "two", cls));
    }

    private static final Sample NO_SAMPLE = null;

    @Test
    void aDeadlockIsReportedWithItsFieldsAndCounted() {
        Pipeline p = pipeline(Policy.DEFAULT);

        p.checked(NO_SAMPLE, List.of(deadlock("k", "00000000000000aa", "com.example.App")));

        assertEquals(1, events.size());
        Event e = events.get(0);
        assertEquals(EventKind.DEADLOCK, e.kind());
        assertTrue(e.headline().startsWith("DEADLOCK: 2 threads"), e.headline());
        Map<String, String> f = e.fields().stream().collect(Collectors.toMap(Field::key, Field::value));
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
        assertEquals(1, stats.checks());
        assertTrue(stats.lastReport().contains("00000000000000aa"));
        assertEquals(List.of(), halts);
    }

    @Test
    void aFindingStillThereIsNotReportedAgain() {
        Pipeline p = pipeline(Policy.DEFAULT);
        for (int i = 0; i < 5; i++) {
            p.checked(NO_SAMPLE, List.of(deadlock("k", "00000000000000ab", "com.example.App")));
        }
        assertEquals(1, events.size());
    }

    /**
     * Issue 10, item 1: a timed back-off read as a lasting cycle. A finding that needs two checks is reported only
     * when the same key (the same wait episodes) is there at two consecutive checks; two different short cycles one
     * check apart are not one cycle seen twice.
     */
    @Test
    void aFindingThatNeedsTwoChecksNeedsTheSameKeyTwiceInARow() {
        Pipeline p = pipeline(Policy.DEFAULT);
        Supplier<Report> report = () -> Reports.deadlock("00000000000000ac", "one", "two", "com.example.App");

        p.checked(NO_SAMPLE, List.of(stuck(EventKind.DEADLOCK, "episode 1", 2, report)));
        p.checked(NO_SAMPLE, List.of(stuck(EventKind.DEADLOCK, "episode 2", 2, report)));
        p.checked(NO_SAMPLE, List.of());
        p.checked(NO_SAMPLE, List.of(stuck(EventKind.DEADLOCK, "episode 3", 2, report)));
        assertEquals(0, events.size(), "never the same episodes twice in a row");

        p.checked(NO_SAMPLE, List.of(stuck(EventKind.DEADLOCK, "episode 3", 2, report)));
        assertEquals(1, events.size());
    }

    @Test
    void aSuppressedReportIsCountedNotLoggedAndNeverRemindedOf() {
        Pipeline p = pipeline(policy("PT1S", "com.example.Legacy*", "exit=3"));
        Finding f = deadlock("k", "00000000000000bb", "com.example.Legacy");

        p.checked(NO_SAMPLE, List.of(f));
        now += Duration.ofSeconds(5).toNanos();
        p.checked(NO_SAMPLE, List.of(f));

        assertEquals(List.of(), lines, "nothing logged, no action");
        assertEquals(1, stats.suppressed());
        assertEquals(0, stats.reported(EventKind.DEADLOCK));
        assertEquals(0, stats.reminders());
    }

    @Test
    void aReportWithOneSiteOutsideThePatternsIsNotSuppressed() {
        Pipeline p = pipeline(policy(null, "com.example.Legacy.a", "log"));

        p.checked(NO_SAMPLE, List.of(deadlock("k", "00000000000000cc", "com.example.Legacy")));

        assertEquals(1, events.size());
        assertEquals(0, stats.suppressed());
    }

    @Test
    void remindersComeAfterTheDurationSayWhichOneTheyAreAndTriggerNoAction() {
        Pipeline p = pipeline(policy("PT30S", null, "dump"));
        Finding f = deadlock("k", "00000000000000dd", "com.example.App");
        p.checked(NO_SAMPLE, List.of(f));
        assertEquals(List.of("00000000000000dd"), dumps);

        now += Duration.ofSeconds(29).toNanos();
        clock += 29_000;
        p.checked(NO_SAMPLE, List.of(f));
        assertEquals(1, events.size(), "not yet");
        now += Duration.ofSeconds(1).toNanos();
        clock += 1_000;
        p.checked(NO_SAMPLE, List.of(f));
        p.checked(NO_SAMPLE, List.of(f));
        assertEquals(2, events.size(), "the clock restarts at each reminder");

        Event reminder = events.get(1);
        assertTrue(reminder.headline().contains("(reminder 1: still there 30 s after it was first reported)"), reminder.headline());
        assertTrue(reminder.fields().contains(new Field("reminder", "1")));
        assertTrue(reminder.fields().stream().anyMatch(x -> x.key().equals("firstReported")));
        assertEquals(List.of("00000000000000dd"), dumps, "no second dump");
        assertEquals(1, stats.reported(EventKind.DEADLOCK));
        assertEquals(1, stats.reminders());
    }

    @Test
    void remindIsOffByDefault() {
        Pipeline p = pipeline(Policy.DEFAULT);
        Finding f = deadlock("k", "00000000000000ee", "com.example.App");
        p.checked(NO_SAMPLE, List.of(f));
        now += Duration.ofDays(1).toNanos();
        p.checked(NO_SAMPLE, List.of(f));

        assertEquals(1, events.size());
    }

    @Test
    void aFindingThatWentAwayIsNewWhenItFormsAgain() {
        Pipeline p = pipeline(policy("PT1S", null, "log"));
        Finding f = deadlock("k", "00000000000000ff", "com.example.App");
        p.checked(NO_SAMPLE, List.of(f));
        p.checked(NO_SAMPLE, List.of());

        p.checked(NO_SAMPLE, List.of(f));

        assertEquals(2, stats.reported(EventKind.DEADLOCK));
        assertFalse(events.get(1).headline().contains("reminder"));
    }

    @Test
    void exitHaltsAfterTheEventIsLoggedAndTheDumpWritten() {
        Pipeline p = pipeline(policy(null, null, "dump+exit=7"));

        p.checked(NO_SAMPLE, List.of(deadlock("k", "0000000000000011", "com.example.App")));

        assertEquals(List.of(7), halts);
        List<String> order = lines.stream().map(l -> l.split(" ")[0]).collect(Collectors.toList());
        assertEquals(List.of("EVENT", "DUMP", "INFO", "WARN", "HALT"), order, String.valueOf(lines));
        assertTrue(lines.get(3).contains("exit code 7") && lines.get(3).contains("onDeadlock=dump+exit=7"), lines.get(3));
        lines.forEach(l -> assertFalse(!l.startsWith("EVENT") && l.contains("DEADLOCK"), "only events carry the kind: " + l));
    }

    @Test
    void starvationIsActedUponLikeADeadlock() {
        Pipeline p = pipeline(policy(null, null, "exit=4"));

        p.checked(NO_SAMPLE, List.of(stuck(EventKind.STARVATION, "s", 1, () -> Reports.starvation("0000000000000022", "com.example.Pool"))));

        assertEquals(List.of(4), halts);
        assertEquals(EventKind.STARVATION, events.get(0).kind());
        assertTrue(events.get(0).fields().contains(new Field("queued.0.waitedBy.0", "pool-1-thread-1")));
    }

    @Test
    void hazardsAreReportedOncePerFingerprintAndOnlyLockOrderIsActedUpon() {
        Pipeline p = new Pipeline(List.of(recording), actions, stats, 1, "h",
                new Policy(null, Suppression.NONE, Action.parse("dump+exit=5"), Action.LOG, Action.parse("exit=6"), null),
                () -> now, () -> clock);
        Finding held = new Finding(EventKind.HELD_WHILE_BLOCKING, "0000000000000033", 1, Set.of(30L),
                () -> Reports.heldWhileBlocking("0000000000000033", "com.example.Svc"));

        p.checked(NO_SAMPLE, List.of(held));
        p.checked(NO_SAMPLE, List.of(held));

        assertEquals(1, events.size());
        assertEquals(EventKind.HELD_WHILE_BLOCKING, events.get(0).kind());
        assertEquals(List.of(), halts);
        assertEquals(List.of(), dumps);
        assertEquals(1, stats.reported(EventKind.HELD_WHILE_BLOCKING));

        p.checked(NO_SAMPLE, List.of(new Finding(EventKind.LOCK_ORDER, "0000000000000034", 1, Set.of(),
                () -> Reports.lockOrder("0000000000000034", "com.example.Bank"))));
        assertEquals(List.of(6), halts, "onLockOrder=exit=6");
    }

    @Test
    void aFailedDumpIsOneWarningAndTheExitStillHappens() {
        Pipeline p = new Pipeline(List.of(recording), new Actions() {
            @Override
            public Path dump(Event event, Path directory) throws Exception {
                throw new java.io.IOException("disk full DEADLOCK\nx");
            }

            @Override
            public void halt(int code) {
                halts.add(code);
            }
        }, stats, 1, "h", policy(null, null, "dump+exit=9"), () -> now, () -> clock);

        p.checked(NO_SAMPLE, List.of(deadlock("k", "0000000000000044", "com.example.App")));

        assertTrue(lines.stream().anyMatch(l -> l.startsWith("WARN could not write the thread dump for fingerprint 0000000000000044")
                && l.contains("disk full deadlock\\u000ax")), String.valueOf(lines));
        assertEquals(List.of(9), halts);
    }

    @Test
    void anOutputThatFailsIsSaidOnceAndTheOthersStillGetTheEvent() {
        Output failing = new Output() {
            @Override
            public void event(Event event) {
                throw new IllegalStateException("broken");
            }
        };
        Pipeline p = new Pipeline(List.of(failing, recording), actions, stats, 1, "h", Policy.DEFAULT, () -> now, () -> clock);

        p.checked(NO_SAMPLE, List.of(deadlock("k1", "0000000000000055", "com.example.App")));
        p.checked(NO_SAMPLE, List.of(deadlock("k2", "0000000000000056", "com.example.App")));

        assertEquals(2, events.size());
        assertEquals(1, lines.stream().filter(l -> l.startsWith("WARN an output failed")).count(), String.valueOf(lines));
    }

    @Test
    void aReportThatCannotBeBuiltIsTriedAgainAtTheNextCheck() {
        Pipeline p = pipeline(Policy.DEFAULT);
        int[] calls = {0};
        Finding f = stuck(EventKind.DEADLOCK, "k", 1, () -> ++calls[0] == 1 ? null
                : Reports.deadlock("0000000000000066", "one", "two", "com.example.App"));

        p.checked(NO_SAMPLE, List.of(f));
        assertEquals(0, events.size());
        p.checked(NO_SAMPLE, List.of(f));
        assertEquals(1, events.size());
    }
}
