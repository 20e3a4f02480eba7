package dev.lockwatch.agent.graph;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Lock objects as node ids of the lock-order graph: by identity (never the lock's own {@code equals} or
 * {@code hashCode}), held weakly, so the graph never keeps a lock alive; an id whose lock was collected comes back
 * from {@link #collected()} once, for the graph to drop the node and its orders. At the graph's bound the locks
 * used longest ago are forgotten ({@link #evictOldest}), since collection alone waits for a garbage collection that
 * may not come soon. About 80 bytes a lock: two {@link IdTable}s (by id, and by identity hash with a chain for
 * equal hashes) and the weak reference. Watchdog thread only.
 */
public final class LockNodes {
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    /** The first node of each identity hash; the others hang off it ({@link Node#sameHash}). */
    private final IdTable<Node> byHash = new IdTable<>(n -> n.hash);
    private final IdTable<Node> byId = new IdTable<>(n -> n.id);
    private int next = 1;
    private long uses;

    private static final class Node extends WeakReference<Object> {
        final int hash;
        final int id;
        long used;
        Node sameHash;

        Node(Object lock, int hash, int id, ReferenceQueue<Object> queue) {
            super(lock, queue);
            this.hash = hash;
            this.id = id;
        }
    }

    /** The lock's id, made on first sight; either way the lock counts as used now. */
    public int idOf(Object lock) {
        int hash = System.identityHashCode(lock);
        Node head = byHash.get(hash);
        for (Node n = head; n != null; n = n.sameHash) {
            if (n.get() == lock) {
                n.used = ++uses;
                return n.id;
            }
        }
        int id;
        do {
            id = next;
            next = next == Integer.MAX_VALUE ? 1 : next + 1; // after 2^31 locks: ids of live locks are skipped
        } while (byId.get(id) != null);
        Node n = new Node(lock, hash, id, queue);
        n.used = ++uses;
        if (head != null) {
            byHash.remove(hash);
            n.sameHash = head;
        }
        byHash.add(n);
        byId.add(n);
        return id;
    }

    /** The ids whose locks were collected since the last call. */
    public List<Integer> collected() {
        List<Integer> gone = new ArrayList<>();
        Reference<?> r;
        while ((r = queue.poll()) != null) {
            Node n = (Node) r;
            if (forget(n)) {
                gone.add(n.id);
            }
        }
        return gone;
    }

    /**
     * Forgets the {@code count} locks used longest ago (taken or held in an order) and returns their ids: the room
     * the graph makes when it reaches its bound.
     */
    public List<Integer> evictOldest(int count) {
        List<Node> all = byId.values();
        all.sort((a, b) -> Long.compare(a.used, b.used));
        List<Integer> gone = new ArrayList<>(Math.min(count, all.size()));
        for (int i = 0; i < count && i < all.size(); i++) {
            Node n = all.get(i);
            n.clear(); // never enqueued now: its id is not reported collected later
            forget(n);
            gone.add(n.id);
        }
        return gone;
    }

    private boolean forget(Node n) {
        if (byId.get(n.id) != n) {
            return false;
        }
        byId.remove(n.id);
        Node head = byHash.get(n.hash);
        if (head == n) {
            byHash.remove(n.hash);
            if (n.sameHash != null) {
                byHash.add(n.sameHash);
            }
        } else {
            for (Node p = head; p != null; p = p.sameHash) {
                if (p.sameHash == n) {
                    p.sameHash = n.sameHash;
                    break;
                }
            }
        }
        n.sameHash = null;
        return true;
    }

    public int size() {
        return byId.size();
    }
}
