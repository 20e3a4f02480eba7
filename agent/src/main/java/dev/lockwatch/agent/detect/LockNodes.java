package dev.lockwatch.agent.detect;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lock objects as node ids of the lock-order graph: by identity (never the lock's own {@code equals} or
 * {@code hashCode}), held weakly, so the graph never keeps a lock alive; an id whose lock was collected comes back
 * from {@link #collected()} once, for the graph to drop the node and its orders. Watchdog thread only.
 */
final class LockNodes {
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    private final Map<Integer, List<Node>> byHash = new HashMap<>();
    private int next = 1;
    private int size;

    private static final class Node extends WeakReference<Object> {
        final int hash;
        final int id;

        Node(Object lock, int hash, int id, ReferenceQueue<Object> queue) {
            super(lock, queue);
            this.hash = hash;
            this.id = id;
        }
    }

    /** The lock's id, made on first sight. */
    int idOf(Object lock) {
        int hash = System.identityHashCode(lock);
        List<Node> same = byHash.get(hash);
        if (same != null) {
            for (Node n : same) {
                if (n.get() == lock) {
                    return n.id;
                }
            }
        } else {
            same = new ArrayList<>(1);
            byHash.put(hash, same);
        }
        int id = next++;
        if (next == Integer.MAX_VALUE) {
            next = 1; // ids of collected locks are long gone by then
        }
        same.add(new Node(lock, hash, id, queue));
        size++;
        return id;
    }

    /** The ids whose locks were collected since the last call. */
    List<Integer> collected() {
        List<Integer> gone = new ArrayList<>();
        Reference<?> r;
        while ((r = queue.poll()) != null) {
            Node n = (Node) r;
            List<Node> same = byHash.get(n.hash);
            if (same != null && same.remove(n)) {
                size--;
                if (same.isEmpty()) {
                    byHash.remove(n.hash);
                }
                gone.add(n.id);
            }
        }
        return gone;
    }

    int size() {
        return size;
    }
}
