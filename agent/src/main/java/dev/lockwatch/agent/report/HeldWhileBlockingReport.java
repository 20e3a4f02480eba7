package dev.lockwatch.agent.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A thread began to block in a hand-off wait while holding locks: the runtime twin of clippy's
 * {@code await_holding_lock}. A warning, logged once per pair of (where the locks were taken, where the wait is).
 *
 * @param waitsFor the awaited future's class, or the blocking method
 * @param waitSite where the thread blocks: the first application frame
 */
public record HeldWhileBlockingReport(String fingerprint, String threadName, long threadId, String waitsFor,
                                      String waitSite, List<ThreadReport.Held> holds, List<StackTraceElement> stack)
        implements Report {
    public HeldWhileBlockingReport {
        holds = List.copyOf(holds);
        stack = List.copyOf(stack);
    }

    @Override
    public EventKind kind() {
        return EventKind.HELD_WHILE_BLOCKING;
    }

    @Override
    public List<String> threadNames() {
        return List.of(threadName);
    }

    @Override
    public List<String> sites() {
        List<String> sites = new ArrayList<>();
        Sites.add(sites, waitSite);
        for (ThreadReport.Held h : holds) {
            Sites.add(sites, h.site());
        }
        return sites;
    }
}
