package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * One elementary cycle of the wait-for graph: {@code edges.get(i).holder() == edges.get(i + 1).waiter()},
 * and the last edge leads back to the first waiter. Rotated so that the smallest thread id comes first.
 */
public record Cycle(List<WaitEdge> edges) {

    public Cycle {
        edges = List.copyOf(edges);
        if (edges.isEmpty()) {
            throw new IllegalArgumentException("a cycle has at least one edge");
        }
    }

    public List<Long> threadIds() {
        List<Long> ids = new ArrayList<>();
        for (WaitEdge e : edges) {
            ids.add(e.waiter());
        }
        return ids;
    }

    /** A cycle in which some wait has a timeout may still resolve by itself. */
    public boolean timed() {
        for (WaitEdge e : edges) {
            if (e.timed()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Identifies the deadlock: the same threads waiting for the same locks give the same fingerprint, whatever
     * the order in which they were found; it does not change from tick to tick while the deadlock lasts.
     */
    public String fingerprint() {
        List<String> parts = new ArrayList<>();
        for (WaitEdge e : edges) {
            parts.add(e.waiter() + ">" + e.lock().key() + ">" + e.holder());
        }
        return hash(parts);
    }

    /** A stable 16-hex-digit hash of a set of strings (order does not matter). */
    public static String hash(List<String> parts) {
        parts = new ArrayList<>(parts);
        parts.sort(null);
        long h = 0xcbf29ce484222325L; // FNV-1a, 64 bit
        for (String part : parts) {
            for (int i = 0; i < part.length(); i++) {
                h ^= part.charAt(i);
                h *= 0x100000001b3L;
            }
            h ^= '|';
            h *= 0x100000001b3L;
        }
        String hex = Long.toHexString(h);
        return "0".repeat(16 - hex.length()) + hex;
    }
}
