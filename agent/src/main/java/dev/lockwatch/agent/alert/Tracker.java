package dev.lockwatch.agent.alert;

import dev.lockwatch.agent.detect.Finding;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place that says whether a finding is new, still there, or gone.
 *
 * <ul>
 *   <li>Threads stuck for good (DEADLOCK, STARVATION, HANG): a finding is identified by its key (its threads and
 *       their wait episodes). It is new once the same key has been seen on {@code checksNeeded} consecutive checks,
 *       still there while the key keeps coming, gone at the first check without it (if it forms again, that is a new
 *       finding).</li>
 *   <li>Hazards (LOCK_ORDER, HELD_WHILE_BLOCKING): new the first time their fingerprint is seen in this JVM, never
 *       again after that. At most {@value #MAX_HAZARDS} fingerprints are remembered; past that, hazards are still
 *       reported, perhaps more than once.</li>
 * </ul>
 * Watchdog thread only.
 */
final class Tracker {
    static final int MAX_HAZARDS = 100_000;

    /** A finding of stuck threads across checks. */
    static final class Seen {
        Finding finding;
        int checks;
        boolean reported;
        boolean suppressed;
        long firstMillis;
        long lastNanos;
        int reminders;
    }

    private Map<String, Seen> stuck = new HashMap<>();
    private final Set<String> hazards = new HashSet<>();

    /** The stuck findings present at this check (new or still there), and the hazards seen for the first time. */
    record Present(List<Seen> stuck, List<Finding> newHazards) {
    }

    Present update(List<Finding> findings) {
        Map<String, Seen> now = new HashMap<>();
        List<Seen> present = new ArrayList<>();
        List<Finding> newHazards = new ArrayList<>();
        for (Finding f : findings) {
            if (!f.kind().stuck()) {
                if (hazards.contains(f.key())) {
                    continue;
                }
                if (hazards.size() < MAX_HAZARDS) {
                    hazards.add(f.key());
                }
                newHazards.add(f);
                continue;
            }
            if (now.containsKey(f.key())) {
                continue; // the same finding twice in one check (two detectors, two roots): once
            }
            Seen s = stuck.remove(f.key());
            if (s == null) {
                s = new Seen();
            }
            s.finding = f;
            s.checks++;
            now.put(f.key(), s);
            present.add(s);
        }
        stuck = now; // what was not seen again is gone
        return new Present(present, newHazards);
    }

    /** The hazards among {@code findings} seen for the first time (found between two checks). */
    List<Finding> newHazards(List<Finding> findings) {
        List<Finding> fresh = new ArrayList<>();
        for (Finding f : findings) {
            if (!f.kind().stuck() && !hazards.contains(f.key())) {
                if (hazards.size() < MAX_HAZARDS) {
                    hazards.add(f.key());
                }
                fresh.add(f);
            }
        }
        return fresh;
    }

    /** How many stuck findings are being followed (for tests). */
    int following() {
        return stuck.size();
    }
}
