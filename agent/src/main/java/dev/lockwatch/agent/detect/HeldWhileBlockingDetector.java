package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.report.EventKind;
import dev.lockwatch.agent.report.HeldWhileBlockingReport;
import dev.lockwatch.bootstrap.HeldWhileBlocking;
import dev.lockwatch.bootstrap.ThreadRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HELD_WHILE_BLOCKING: a thread that blocks on a future while it holds a lock.
 * <ul>
 *   <li>{@code java.util.concurrent} locks: the thread notes it itself as its wait begins
 *       ({@link HeldWhileBlocking}); the note is reported at the check after the one that took it, unless that
 *       thread is part of a DEADLOCK, STARVATION or HANG by then (that report already says it, and more).</li>
 *   <li>Monitors: the JVM knows them, the thread does not; a hand-off wait is checked once it has lasted a whole
 *       interval (seen in the same episode at two checks), all such waits in one JVM call.</li>
 * </ul>
 * Run after the detectors of stuck threads.
 */
public final class HeldWhileBlockingDetector implements Detector {
    private final ReportBuilder reports;
    private List<HeldWhileBlocking.Note> notes = new ArrayList<>();
    /** Hand-off waits whose held monitors were already checked: thread id to wait epoch. */
    private final Map<Long, Integer> checked = new HashMap<>();
    /** Hand-off waits seen on the previous check: thread id to wait epoch. */
    private Map<Long, Integer> previous = new HashMap<>();

    public HeldWhileBlockingDetector(ReportBuilder reports) {
        this.reports = reports;
    }

    @Override
    public void find(Sample sample, List<Finding> findings) {
        Set<Long> stuck = new HashSet<>();
        for (Finding f : findings) {
            if (f.kind().stuck()) {
                stuck.addAll(f.threads());
            }
        }
        for (HeldWhileBlocking.Note note : notes) {
            if (!stuck.contains(note.threadId)) {
                add(findings, reports.heldWhileBlocking(note));
            }
        }
        notes = new ArrayList<>();
        for (HeldWhileBlocking.Note n; (n = HeldWhileBlocking.poll()) != null; ) {
            notes.add(n);
        }
        if (!HeldWhileBlocking.enabled()) {
            notes.clear();
            return;
        }
        Map<Long, Integer> now = new HashMap<>();
        List<ThreadRecord> due = new ArrayList<>();
        for (ThreadRecord r : sample.waiting()) {
            // the kind first, a plain read, to pass lock waits by cheaply; read again after the wait's volatile
            // read, which publishes it
            if (r.waitKind() != ThreadRecord.WAIT_HANDOFF || r.waitingOn() == null || r.get() == null
                    || r.waitKind() != ThreadRecord.WAIT_HANDOFF) {
                continue;
            }
            int epoch = r.waitEpoch();
            now.put(r.threadId, epoch);
            Integer before = previous.get(r.threadId);
            Integer done = checked.get(r.threadId);
            if (before != null && before == epoch && (done == null || done != epoch) && !stuck.contains(r.threadId)) {
                due.add(r);
                checked.put(r.threadId, epoch);
            }
        }
        checked.keySet().retainAll(now.keySet());
        previous = now;
        for (HeldWhileBlockingReport report : reports.monitorsHeldWhileBlocking(due)) {
            add(findings, report);
        }
    }

    private static void add(List<Finding> findings, HeldWhileBlockingReport report) {
        findings.add(new Finding(EventKind.HELD_WHILE_BLOCKING, report.fingerprint(), 1, Set.of(report.threadId()),
                () -> report));
    }
}
