package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the elementary cycles of a wait-for graph, self-loops included (a reader that asks for the write lock
 * of its own read-write lock waits for itself).
 *
 * <p>Each cycle is found once, from its smallest thread id: the search from start {@code s} only walks through
 * threads with larger ids. Wait-for graphs are small and sparse (a thread waits for one lock; only read locks
 * have several holders), so this simple search is enough; {@code limit} bounds the output on pathological
 * graphs.
 */
public final class CycleFinder {
    private CycleFinder() {
    }

    public static List<Cycle> find(WaitForGraph graph, int limit) {
        List<Cycle> found = new ArrayList<>();
        // A cycle is found from its smallest thread, which waits: threads that wait for nothing start none.
        long[] starts = graph.waiters();
        java.util.Arrays.sort(starts);
        for (long start : starts) {
            if (found.size() >= limit) {
                break;
            }
            search(graph, start, start, new ArrayList<>(), found, limit);
        }
        return found;
    }

    private static void search(WaitForGraph graph, long start, long at, List<WaitEdge> path, List<Cycle> found,
                               int limit) {
        for (WaitEdge e : graph.outgoing(at)) {
            if (found.size() >= limit) {
                return;
            }
            long next = e.holder();
            if (next == start) {
                path.add(e);
                found.add(new Cycle(path));
                path.remove(path.size() - 1);
            } else if (next > start && next != at && !onPath(path, next)) { // elementary: no thread twice
                path.add(e);
                search(graph, start, next, path, found, limit);
                path.remove(path.size() - 1);
            }
        }
    }

    private static boolean onPath(List<WaitEdge> path, long id) {
        for (WaitEdge e : path) {
            if (e.waiter() == id) {
                return true;
            }
        }
        return false;
    }
}
