package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Keeps the locks of an order graph grouped into strongly connected components, and the components in a
 * topological order, as orders are added and locks removed. Then "does this order lie on a cycle" is one
 * comparison: both ends are in the same component.
 *
 * <p>Inserting an order is Pearce and Kelly's dynamic topological sort ("A Dynamic Topological Sort Algorithm
 * for Directed Acyclic Graphs", JEA 2006; the shape of Abseil's {@code GraphCycles}), run over components
 * instead of locks, which lets it keep the orders that close cycles instead of refusing them:
 * <ul>
 *   <li>An order inside one component, or from a lower rank to a higher one, changes nothing: O(1), no search.
 *       A lock seen for the first time is placed before every other lock when it is the order's source and
 *       after every other when it is the target, so an order with a new lock never searches either.</li>
 *   <li>An order {@code u -> v} from a higher rank to a lower one searches only the affected region, the
 *       components ranked between {@code v} and {@code u}: forward from {@code v} (never past {@code u}'s rank)
 *       and backward from {@code u} (never below {@code v}'s). Components found by both searches lie on a path
 *       {@code v ~> u}, so with the new order they are one cycle: they merge into one component. The others
 *       keep their relative order; those behind {@code u} move before those ahead of {@code v}, on the same set
 *       of ranks, which keeps every order that leaves the region pointing the right way (Pearce and Kelly's
 *       argument: ranks ahead of {@code v} only grow, ranks behind {@code u} only shrink).</li>
 *   <li>Removing a lock from a component of one lock needs nothing. Removing it from a larger component may
 *       split the rest: Tarjan's algorithm over that component finds the pieces, and when there are several
 *       every component is renumbered to make room for them (O(locks log locks), only when a cycle falls
 *       apart).</li>
 * </ul>
 * Searches mark what they reach with a fresh epoch instead of clearing flags; a long never wraps.
 */
final class ComponentOrder {
    private static final Comparator<Component> BY_RANK = Comparator.comparingLong(c -> c.rank);

    private final IdTable<LockNode> locks;
    /** Ranks handed out at the ends of the order. */
    private long lowest = 0;
    private long highest = -1;
    private long epoch;
    /** Components and locks visited by searches: lets tests check that consistent orders cost no search. */
    private long steps;

    ComponentOrder(IdTable<LockNode> locks) {
        this.locks = locks;
    }

    /** Places a new lock, on no order yet, before every other lock. */
    void placeFirst(LockNode lock) {
        new Component(--lowest, lock);
    }

    /** Places a new lock, on no order yet, after every other lock. */
    void placeLast(LockNode lock) {
        new Component(++highest, lock);
    }

    long newEpoch() {
        return ++epoch;
    }

    void countSteps(int n) {
        steps += n;
    }

    long steps() {
        return steps;
    }

    /** Restores the order after {@code e} was added to its locks' edges. */
    void insert(OrderEdge e) {
        Component from = e.source.component;
        Component to = e.target.component;
        if (from == to || from.rank < to.rank) {
            return;
        }
        long aheadMark = newEpoch();
        List<Component> ahead = forward(to, from.rank, aheadMark);
        long behindMark = newEpoch();
        List<Component> behind = backward(from, to.rank, behindMark);
        List<Component> before = new ArrayList<>();
        List<Component> cycle = new ArrayList<>();
        List<Component> after = new ArrayList<>();
        for (Component c : behind) {
            (c.forwardSeen == aheadMark ? cycle : before).add(c);
        }
        for (Component c : ahead) {
            if (c.backwardSeen != behindMark) {
                after.add(c);
            }
        }
        long[] ranks = new long[before.size() + cycle.size() + after.size()];
        int n = 0;
        for (Component c : behind) {
            ranks[n++] = c.rank;
        }
        for (Component c : after) {
            ranks[n++] = c.rank;
        }
        Arrays.sort(ranks);
        before.sort(BY_RANK);
        after.sort(BY_RANK);
        int next = 0;
        for (Component c : before) {
            c.rank = ranks[next++];
        }
        if (!cycle.isEmpty()) {
            merge(cycle).rank = ranks[next]; // the merged members' other ranks stay unused
        }
        next = ranks.length - after.size();
        for (Component c : after) {
            c.rank = ranks[next++];
        }
    }

    /** The components reachable from {@code start} through components ranked at most {@code maxRank}. */
    private List<Component> forward(Component start, long maxRank, long mark) {
        List<Component> found = new ArrayList<>();
        start.forwardSeen = mark;
        found.add(start);
        for (int i = 0; i < found.size(); i++) {
            LockNode m = found.get(i).anyMember;
            do {
                for (int k = 0; k < m.outCount; k++) {
                    Component c = m.out[k].target.component;
                    if (c.forwardSeen != mark && c.rank <= maxRank) {
                        c.forwardSeen = mark;
                        found.add(c);
                    }
                }
                m = m.nextMember;
            } while (m != found.get(i).anyMember);
        }
        steps += found.size();
        return found;
    }

    /** The components that reach {@code start} through components ranked at least {@code minRank}. */
    private List<Component> backward(Component start, long minRank, long mark) {
        List<Component> found = new ArrayList<>();
        start.backwardSeen = mark;
        found.add(start);
        for (int i = 0; i < found.size(); i++) {
            LockNode m = found.get(i).anyMember;
            do {
                for (int k = 0; k < m.inCount; k++) {
                    Component c = m.in[k].source.component;
                    if (c.backwardSeen != mark && c.rank >= minRank) {
                        c.backwardSeen = mark;
                        found.add(c);
                    }
                }
                m = m.nextMember;
            } while (m != found.get(i).anyMember);
        }
        steps += found.size();
        return found;
    }

    /** Joins components into the largest of them, so a lock changes component O(log locks) times at most. */
    private Component merge(List<Component> parts) {
        Component into = parts.get(0);
        for (Component c : parts) {
            if (c.size > into.size) {
                into = c;
            }
        }
        for (Component c : parts) {
            if (c == into) {
                continue;
            }
            LockNode m = c.anyMember;
            do {
                m.component = into;
                m = m.nextMember;
            } while (m != c.anyMember);
            LockNode next = into.anyMember.nextMember; // splice the two circular lists into one
            into.anyMember.nextMember = c.anyMember.nextMember;
            c.anyMember.nextMember = next;
            into.size += c.size;
            steps += c.size;
        }
        return into;
    }

    /** There is a path of one or more orders from {@code from} to {@code to}. */
    boolean reaches(LockNode from, LockNode to) {
        Component a = from.component;
        Component b = to.component;
        if (a == b) {
            return from != to || a.size > 1;
        }
        if (a.rank > b.rank) {
            return false; // orders between components only climb the order
        }
        long mark = newEpoch();
        forward(a, b.rank, mark);
        return b.forwardSeen == mark;
    }

    /** Takes {@code lock}, whose orders are already removed and which is no longer in the table, out of the order. */
    void remove(LockNode lock) {
        Component c = lock.component;
        lock.component = null;
        if (c.size == 1) {
            return;
        }
        LockNode[] rest = new LockNode[c.size - 1];
        int n = 0;
        for (LockNode m = lock.nextMember; m != lock; m = m.nextMember) {
            rest[n++] = m;
        }
        lock.nextMember = lock;
        List<LockNode[]> pieces = strongComponents(rest, c);
        if (pieces.size() == 1) {
            c.size = rest.length;
            c.anyMember = rest[0];
            link(rest);
            return;
        }
        List<Component> order = new ArrayList<>();
        long mark = newEpoch();
        for (LockNode l : locks.values()) {
            Component other = l.component;
            if (other != c && other.forwardSeen != mark) {
                other.forwardSeen = mark;
                order.add(other);
            }
        }
        order.sort(BY_RANK);
        int at = 0;
        while (at < order.size() && order.get(at).rank < c.rank) {
            at++;
        }
        for (LockNode[] piece : pieces) { // Tarjan finds them sinks first: each goes before the ones found earlier
            Component part = new Component(0, piece[0]);
            part.size = piece.length;
            link(piece);
            for (LockNode m : piece) {
                m.component = part;
            }
            order.add(at, part);
        }
        for (int i = 0; i < order.size(); i++) {
            order.get(i).rank = i;
        }
        lowest = 0;
        highest = order.size() - 1;
        steps += order.size();
    }

    private static void link(LockNode[] members) {
        for (int i = 0; i < members.length; i++) {
            members[i].nextMember = members[(i + 1) % members.length];
        }
    }

    /**
     * Tarjan's strongly connected components of {@code members} (all of component {@code c}) over the orders
     * among them, in reverse topological order. Iterative: a component can be as long as the graph.
     */
    private List<LockNode[]> strongComponents(LockNode[] members, Component c) {
        int n = members.length;
        for (int i = 0; i < n; i++) {
            members[i].value = i;
        }
        int[] index = new int[n];
        Arrays.fill(index, -1);
        int[] low = new int[n];
        boolean[] stacked = new boolean[n];
        int[] stack = new int[n];
        int top = 0;
        int[] callNode = new int[n];
        int[] callEdge = new int[n];
        int depth = 0;
        int counter = 0;
        List<LockNode[]> pieces = new ArrayList<>();
        for (int root = 0; root < n; root++) {
            if (index[root] != -1) {
                continue;
            }
            index[root] = low[root] = counter++;
            stack[top++] = root;
            stacked[root] = true;
            callNode[depth] = root;
            callEdge[depth++] = 0;
            while (depth > 0) {
                int at = callNode[depth - 1];
                LockNode lock = members[at];
                if (callEdge[depth - 1] < lock.outCount) {
                    LockNode next = lock.out[callEdge[depth - 1]++].target;
                    if (next.component != c) {
                        continue;
                    }
                    int w = next.value;
                    if (index[w] == -1) {
                        index[w] = low[w] = counter++;
                        stack[top++] = w;
                        stacked[w] = true;
                        callNode[depth] = w;
                        callEdge[depth++] = 0;
                    } else if (stacked[w]) {
                        low[at] = Math.min(low[at], index[w]);
                    }
                    continue;
                }
                depth--;
                if (depth > 0) {
                    int parent = callNode[depth - 1];
                    low[parent] = Math.min(low[parent], low[at]);
                }
                if (low[at] == index[at]) {
                    int bottom = top;
                    do {
                        stacked[stack[--bottom]] = false;
                    } while (stack[bottom] != at);
                    LockNode[] piece = new LockNode[top - bottom];
                    for (int i = bottom; i < top; i++) {
                        piece[i - bottom] = members[stack[i]];
                    }
                    top = bottom;
                    pieces.add(piece);
                }
            }
        }
        steps += n;
        return pieces;
    }
}
