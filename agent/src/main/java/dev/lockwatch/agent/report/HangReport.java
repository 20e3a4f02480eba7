package dev.lockwatch.agent.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Threads stuck for good without a cycle: each has been in the same wait, without progress, for longer than
 * {@code hangAfter}, and nothing the agent can see will end it. One report per root: a thread stuck behind the
 * root (waiting for a lock the root holds) is listed with it, not reported on its own.
 *
 * @param roots  the stuck threads whose waits nobody will end (usually one)
 * @param behind threads queued behind the roots: waiting for locks they hold
 */
public record HangReport(String fingerprint, List<Stuck> roots, List<ThreadReport> behind) implements Report {
    public HangReport {
        roots = List.copyOf(roots);
        behind = List.copyOf(behind);
    }

    /**
     * One stuck thread.
     *
     * @param thread    the thread, its holds and its stack; its {@code waits} may be null (a loop of timed waits)
     * @param waitsFor  what it waits for: the object, as the report names objects
     * @param waitKind  future, latch, condition, monitor wait, semaphore, lock, park, ...
     * @param since     when the wait began (epoch milliseconds), or -1
     * @param stuckMillis how long it has made no progress
     * @param why       why nothing will end the wait (the rule that made it a hang)
     * @param wakers    who was meant to wake it, where the agent can know
     * @param unknown   when no waker is known: why the agent cannot know; else null
     */
    public record Stuck(ThreadReport thread, String waitsFor, String waitKind, long since, long stuckMillis,
                        String why, List<Waker> wakers, String unknown) {
        public Stuck {
            wakers = List.copyOf(wakers);
        }
    }

    /**
     * A thread that was meant to end the wait.
     *
     * @param role  what it had to do with the awaited object ("was to complete it", "took the permit", ...)
     * @param alive whether it still runs
     * @param now   where it is now (its state and innermost application frame), or how it ended
     */
    public record Waker(String name, long id, String role, boolean alive, String now) {
    }

    @Override
    public EventKind kind() {
        return EventKind.HANG;
    }

    @Override
    public List<String> threadNames() {
        List<String> names = new ArrayList<>();
        for (Stuck s : roots) {
            names.add(s.thread().name());
            for (Waker w : s.wakers()) {
                if (!names.contains(w.name())) {
                    names.add(w.name());
                }
            }
        }
        for (ThreadReport t : behind) {
            if (!names.contains(t.name())) {
                names.add(t.name());
            }
        }
        return names;
    }

    @Override
    public List<String> sites() {
        List<String> sites = new ArrayList<>();
        List<ThreadReport> threads = new ArrayList<>();
        for (Stuck s : roots) {
            threads.add(s.thread());
        }
        threads.addAll(behind);
        Sites.addThreads(sites, threads);
        return sites;
    }
}
