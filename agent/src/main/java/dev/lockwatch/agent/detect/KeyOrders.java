package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.detect.LockOrderFile.KeyOrder;
import dev.lockwatch.agent.graph.CycleRules;
import dev.lockwatch.agent.graph.LockMode;
import dev.lockwatch.agent.graph.Occurrence;
import dev.lockwatch.agent.graph.OrderEdge;
import dev.lockwatch.agent.graph.OrderGraph;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lock orders across runs ({@code lockOrderFile}): a second graph whose nodes are locks named the same in every run
 * (the receiver of the acquisition as the bytecode names it: a static or instance field of a class, {@code this} of
 * a class, a class literal; lockdep's lock classes) rather than lock instances, filled with the orders of earlier
 * runs read from the file and with this run's. A cycle in it that has at least one order of an earlier run is
 * reported by this run (cycles of this run alone are the instance graph's). Locks with no such name (a local
 * variable, a parameter, a method's result) are not carried across runs.
 *
 * <p>The rules of {@link CycleRules} apply as within a run; orders of earlier runs count as taken by threads of
 * their own, since two test JVMs' threads are two threads in one production JVM. Used by the watchdog's thread,
 * and at exit by the shutdown thread when the watchdog is late: hence synchronized.
 */
final class KeyOrders {
    static final int MAX_LOCKS = 16_384;
    static final int MAX_ORDERS = 65_536;

    /** The payload of an edge: the order, and for this run's orders the ids that find its stack. */
    record Seen(KeyOrder order, int heldSiteId, int takenSiteId, long threadId) {
    }

    private final LockOrderFile file;
    private final String run;
    private final OrderGraph graph = new OrderGraph(MAX_LOCKS, MAX_ORDERS);
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<String, KeyOrder> mine = new LinkedHashMap<>();
    private final Set<String> writeLocked = new LinkedHashSet<>();
    private final List<String> notices;
    private int earlier;
    private boolean fullSaid;

    /** Reads the file; what went wrong goes to {@code notices}, and the run goes on without earlier orders. */
    KeyOrders(LockOrderFile file, String run, List<String> notices) {
        this.file = file;
        this.run = run;
        this.notices = notices;
        LockOrderFile.Contents contents;
        try {
            contents = file.read();
        } catch (IOException | RuntimeException e) {
            notices.add("lockOrderFile " + file.path() + " could not be read (" + e.getMessage() + "): this run is"
                    + " checked without the lock orders of earlier runs");
            return;
        }
        if (contents.skipped() > 0) {
            notices.add(contents.skipped() + " lines of lockOrderFile " + file.path() + " are not lock orders of this"
                    + " version and were skipped");
        }
        Map<String, Long> runThreads = new HashMap<>();
        for (KeyOrder o : contents.orders()) {
            long thread = runThreads.computeIfAbsent(o.run() + '\t' + o.thread(), k -> -1L - runThreads.size());
            graph.add(id(o.heldKey()), id(o.takenKey()), new Occurrence(thread, gateIds(o.gates()), o.timed(),
                    o.heldMode(), o.takenMode(), new Seen(o, 0, 0, thread)));
        }
        for (String key : contents.writeLocked()) {
            graph.markWriteLocked(id(key));
        }
        earlier = contents.orders().size();
    }

    /** Orders read from the file at start. */
    int earlierOrders() {
        return earlier;
    }

    /** A lock of this run was write-locked: so it is in every later run's view too. */
    synchronized void writeLocked(String key) {
        if (writeLocked.add(key)) {
            graph.markWriteLocked(id(key));
        }
    }

    /**
     * This run took {@code order} (its thread, and the sites whose stack the detector keeps); returns the cycles it
     * closed that have an order of an earlier run and could deadlock.
     */
    synchronized List<List<OrderEdge>> taken(KeyOrder order, int heldSiteId, int takenSiteId, long threadId) {
        mine.merge(order.identity(), order, KeyOrder::seenAgain);
        if (ids.size() >= MAX_LOCKS && (!ids.containsKey(order.heldKey()) || !ids.containsKey(order.takenKey()))) {
            full();
            return List.of();
        }
        int from = id(order.heldKey());
        int to = id(order.takenKey());
        OrderGraph.Change c = graph.add(from, to, new Occurrence(threadId, gateIds(order.gates()), order.timed(),
                order.heldMode(), order.takenMode(), new Seen(order, heldSiteId, takenSiteId, threadId)));
        if (c == OrderGraph.Change.FULL) {
            full();
            return List.of();
        }
        if ((c != OrderGraph.Change.NEW && c != OrderGraph.Change.WIDENED) || !graph.onCycle(from, to)) {
            return List.of();
        }
        List<List<OrderEdge>> found = new ArrayList<>();
        for (List<OrderEdge> cycle : graph.cyclesThrough(from, to, 8, 8)) {
            boolean acrossRuns = false;
            for (OrderEdge e : cycle) {
                acrossRuns |= ((Seen) e.payload()).order().run() != null;
            }
            if (acrossRuns && CycleRules.why(cycle, graph) == null) {
                found.add(cycle);
            }
        }
        return found;
    }

    /** At exit: this run's orders go into the file. Returns the line to log. */
    synchronized String save() {
        if (mine.isEmpty() && writeLocked.isEmpty()) {
            return null;
        }
        List<KeyOrder> orders = new ArrayList<>(mine.size());
        for (KeyOrder o : mine.values()) {
            orders.add(new KeyOrder(o.heldKey(), o.heldSite(), o.heldMode(), o.takenKey(), o.takenSite(), o.takenMode(),
                    o.timed(), o.gates(), o.thread(), o.millis(), run));
        }
        try {
            int total = file.merge(orders, writeLocked);
            return "lock orders of this run merged into " + file.path() + " (" + orders.size() + " of this run, "
                    + total + " in the file)";
        } catch (IOException | RuntimeException e) {
            return "the lock orders of this run could not be merged into " + file.path() + " (" + e.getMessage()
                    + "); the file is as it was";
        }
    }

    private void full() {
        if (!fullSaid) {
            fullSaid = true;
            notices.add("the lock-order graph across runs reached its bound (" + MAX_LOCKS + " named locks or "
                    + MAX_ORDERS + " orders): new orders between named locks are checked within this run only");
        }
    }

    private int id(String key) {
        return ids.computeIfAbsent(key, k -> ids.size() + 1);
    }

    private int[] gateIds(Set<String> gates) {
        int[] out = new int[gates.size()];
        int i = 0;
        for (String g : gates) {
            out[i++] = id(g);
        }
        return out;
    }

    /** A lock name as reports show it: {@code com.example.Bank.LEDGER (static field)}. */
    static String describe(String key, LockMode mode) {
        String kind = switch (mode) {
            case MONITOR -> "monitor ";
            case READ -> "read lock ";
            case WRITE -> "write lock ";
            default -> "lock ";
        };
        int space = key.indexOf(' ');
        String what = space < 0 ? "" : key.substring(0, space);
        String name = space < 0 ? key : key.substring(space + 1);
        return kind + switch (what) {
            case "static" -> name + " (static field)";
            case "field" -> name + " (field, any instance)";
            case "this" -> "this " + name + " (any instance)";
            case "class" -> name + ".class";
            default -> key;
        };
    }

    /**
     * The name of a lock for this graph, from the receiver key the rewriter gave its site: a read-write lock's two
     * halves are one lock. Null when the site's lock has no name that means the same in every run.
     */
    static String nodeKey(String siteKey) {
        if (siteKey == null) {
            return null;
        }
        if (siteKey.endsWith(" readLock")) {
            return siteKey.substring(0, siteKey.length() - " readLock".length());
        }
        if (siteKey.endsWith(" writeLock")) {
            return siteKey.substring(0, siteKey.length() - " writeLock".length());
        }
        return siteKey;
    }
}
