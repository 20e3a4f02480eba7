package dev.lockwatch.agent.report;

import java.util.List;

/**
 * What one finding says, as plain data: built by a detector, written by {@link TextEncoder} for people and by
 * {@link FieldEncoder} for machines. A new kind of event is a new record here and a case in each encoder.
 */
public sealed interface Report permits DeadlockReport, StarvationReport, HangReport, HeldWhileBlockingReport, LockOrderReport {
    EventKind kind();

    /**
     * 16 hex digits, a function of what the code does (kinds of waits, acquisition and wait sites), never of thread
     * ids, identity hashes or names: the same finding has the same fingerprint in every run and on every host.
     */
    String fingerprint();

    /** Every thread the report names, as the JVM names it. */
    List<String> threadNames();

    /**
     * Where the code involved is: acquisition sites of the locks and, per thread, the innermost frame outside the JDK
     * ({@code com.example.Cache.get(Cache.java:42)} or {@code com.example.Cache.get}); {@code suppress} matches these.
     */
    List<String> sites();
}
