package dev.lockwatch.agent.report;

import java.util.ArrayList;
import java.util.List;

/** The sites and names every report kind collects from its threads. */
final class Sites {
    private Sites() {
    }

    static List<String> names(List<ThreadReport> threads) {
        List<String> names = new ArrayList<>(threads.size());
        for (ThreadReport t : threads) {
            names.add(t.name());
        }
        return names;
    }

    /** Each lock's acquisition site, and each thread's innermost frame outside the JDK. */
    static void addThreads(List<String> sites, List<ThreadReport> threads) {
        for (ThreadReport t : threads) {
            for (ThreadReport.Held h : t.holds()) {
                add(sites, h.site());
            }
            add(sites, t.applicationFrame());
        }
    }

    static void add(List<String> sites, String site) {
        if (site != null && !site.isEmpty()) {
            sites.add(site);
        }
    }
}
