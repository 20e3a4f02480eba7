package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.report.EventKind;
import dev.lockwatch.agent.report.Report;

import java.util.Set;
import java.util.function.Supplier;

/**
 * What a detector saw at one check, before anyone decides whether to report it.
 *
 * @param key          identifies the finding in this JVM while it lasts (threads and their wait episodes, or for a
 *                     hazard its fingerprint): the same key on two checks is the same finding
 * @param checksNeeded how many consecutive checks must see the same key before it is reported (2 where one read of
 *                     many threads could be a coincidence of moments: waits with a timeout, starved pools)
 * @param threads      the ids of the threads it is about (a thread in a deadlock is not also reported as hung)
 * @param report       builds the report; called only when the finding is reported (it may ask the JVM for stacks)
 */
public record Finding(EventKind kind, String key, int checksNeeded, Set<Long> threads, Supplier<Report> report) {
    public Finding {
        threads = Set.copyOf(threads);
    }
}
