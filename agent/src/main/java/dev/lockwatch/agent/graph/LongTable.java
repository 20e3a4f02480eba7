package dev.lockwatch.agent.graph;

import java.util.Arrays;

/**
 * A hash table from thread ids to values, for the tables a check fills once per waiting thread (a check with ten
 * thousand waiters fills several): keys in a {@code long[]} beside the values, so no boxed {@code Long} and no
 * entry object is made per thread, and a probe compares keys without touching the values. Values are never null
 * (null marks an empty slot). No removal: a table lives for one check.
 *
 * <p>Open addressing with linear probing, at most three quarters full (consecutive keys do not collide).
 * {@link IdTable} is the variant for values that carry their key (the lock-order graph's nodes and edges), which
 * also removes.
 */
public final class LongTable<V> {
    private long[] keys;
    private Object[] values;
    private int size;

    /** A table sized for {@code expected} keys: no rehash while it holds that many. */
    public LongTable(int expected) {
        int capacity = 16;
        while (capacity - (capacity >> 2) < expected) {
            capacity <<= 1;
        }
        keys = new long[capacity];
        values = new Object[capacity];
    }

    public int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    public V get(long key) {
        int mask = keys.length - 1;
        for (int i = home(key, mask); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return (V) values[i];
            }
        }
        return null;
    }

    public boolean containsKey(long key) {
        return get(key) != null;
    }

    /** Sets the value of {@code key}; returns the one it replaced, or null. */
    public V put(long key, V value) {
        return insert(key, value, true);
    }

    /** Sets the value of {@code key} unless it has one; returns the one it already had, or null. */
    public V putIfAbsent(long key, V value) {
        return insert(key, value, false);
    }

    /** The keys, in no particular order (a copy). */
    public long[] keys() {
        long[] out = new long[size];
        int n = 0;
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                out[n++] = keys[i];
            }
        }
        return out;
    }

    /** Calls {@code action} with each key and value, in no particular order. */
    @SuppressWarnings("unchecked")
    public void forEach(Entry<? super V> action) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                action.accept(keys[i], (V) values[i]);
            }
        }
    }

    /** Replaces each value by what {@code f} makes of it (never null). */
    @SuppressWarnings("unchecked")
    public void replaceAll(java.util.function.UnaryOperator<V> f) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                values[i] = java.util.Objects.requireNonNull(f.apply((V) values[i]));
            }
        }
    }

    /** A table of its own with the same entries. */
    public LongTable<V> copy() {
        LongTable<V> c = new LongTable<>(0);
        c.keys = Arrays.copyOf(keys, keys.length);
        c.values = Arrays.copyOf(values, values.length);
        c.size = size;
        return c;
    }

    /** A key and its value, for {@link #forEach}. */
    @FunctionalInterface
    public interface Entry<V> {
        void accept(long key, V value);
    }

    @SuppressWarnings("unchecked")
    private V insert(long key, V value, boolean replace) {
        java.util.Objects.requireNonNull(value);
        int mask = keys.length - 1;
        int i = home(key, mask);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                if (replace) {
                    values[i] = value;
                }
                return old;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size > keys.length - (keys.length >> 2)) {
            rehash();
        }
        return null;
    }

    private void rehash() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[2 * oldKeys.length];
        values = new Object[2 * oldValues.length];
        int mask = keys.length - 1;
        for (int j = 0; j < oldValues.length; j++) {
            if (oldValues[j] != null) {
                int i = home(oldKeys[j], mask);
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }

    /**
     * The key itself: thread ids are handed out one after the other, and a check visits its waiters in about that
     * order, so consecutive ids in consecutive slots make a check's table accesses sequential (a hashed slot is a
     * cache miss per access once the check's other reads have evicted the table: measured, most of a check's
     * time at ten thousand waiters) and never collide.
     */
    private static int home(long key, int mask) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    /** Fibonacci hashing, folded, for keys that are not consecutive (lock ids, pairs of them). */
    static int spread(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
