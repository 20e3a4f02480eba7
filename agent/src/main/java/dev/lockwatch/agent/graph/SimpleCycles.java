package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lists the simple cycles (no lock twice) through one order {@code u -> v}: the simple paths {@code v ~> u},
 * closed by the order. Such a path never leaves the component of {@code u}, so the search stays inside it.
 *
 * <p>A backward breadth-first search from {@code u} first notes each lock's distance to {@code u}; the depth-first
 * search then only steps to a lock from which {@code u} can still be reached within the length bound. The
 * distance ignores the no-lock-twice rule, so it is a lower bound and prunes nothing it should not. Cycle counts
 * can still grow exponentially with the length, so the search also stops after {@link #MAX_STEPS} steps.
 */
final class SimpleCycles {
    /** Orders looked at by one enumeration at most: a few milliseconds of the watchdog's time. */
    static final int MAX_STEPS = 1_000_000;

    private SimpleCycles() {
    }

    static List<List<OrderEdge>> through(OrderEdge first, int maxCycles, int maxLength, ComponentOrder order) {
        LockNode u = first.source;
        LockNode v = first.target;
        Component c = u.component;
        List<List<OrderEdge>> found = new ArrayList<>();
        if (v.component != c || maxCycles <= 0 || maxLength < 2) {
            return found;
        }
        maxLength = Math.min(maxLength, c.size);
        long near = distancesTo(u, c, maxLength - 1, order);
        if (v.seen != near) {
            return found;
        }
        OrderEdge[] path = new OrderEdge[maxLength];
        int[] nextEdge = new int[maxLength];
        path[0] = first;
        int depth = 1; // orders on the path; the path ends at path[depth - 1].target
        u.onPath = true;
        v.onPath = true;
        int steps = 0;
        while (depth > 0 && found.size() < maxCycles && steps < MAX_STEPS) {
            LockNode at = path[depth - 1].target;
            if (nextEdge[depth] == at.outCount) {
                at.onPath = false;
                depth--;
                continue;
            }
            OrderEdge e = at.out[nextEdge[depth]++];
            steps++;
            LockNode next = e.target;
            if (next == u) { // at's distance is at least 1, so the closed cycle fits the bound
                path[depth] = e;
                found.add(List.of(Arrays.copyOf(path, depth + 1)));
            } else if (next.component == c && !next.onPath && next.seen == near
                    && depth + 1 + next.value <= maxLength) {
                path[depth++] = e;
                next.onPath = true;
                nextEdge[depth] = 0;
            }
        }
        for (int i = 0; i < depth; i++) { // stopped early: leave no lock marked
            path[i].target.onPath = false;
        }
        u.onPath = false;
        order.countSteps(steps);
        return found;
    }

    /** Notes in {@code value} each lock's distance to {@code u}, for the locks of {@code c} at most {@code limit} away. */
    private static long distancesTo(LockNode u, Component c, int limit, ComponentOrder order) {
        long mark = order.newEpoch();
        List<LockNode> queue = new ArrayList<>();
        u.seen = mark;
        u.value = 0;
        queue.add(u);
        for (int i = 0; i < queue.size(); i++) {
            LockNode n = queue.get(i);
            if (n.value == limit) {
                continue;
            }
            for (int k = 0; k < n.inCount; k++) {
                LockNode s = n.in[k].source;
                if (s.component == c && s.seen != mark) {
                    s.seen = mark;
                    s.value = n.value + 1;
                    queue.add(s);
                }
            }
        }
        order.countSteps(queue.size());
        return mark;
    }
}
