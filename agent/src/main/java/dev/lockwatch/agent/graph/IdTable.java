package dev.lockwatch.agent.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A hash table of values that carry their own long key (a lock id, or a pair of lock ids): one reference per
 * slot and no boxed keys, a fraction of {@code java.util.HashMap}'s 50 bytes or so per entry.
 *
 * <p>Open addressing with linear probing, at most half full. Removal shifts the entries after the hole back
 * towards their home slots instead of leaving tombstones, so lookups stay short after any number of removals.
 * The table never shrinks: its size is bounded by the graph's limits.
 */
final class IdTable<V> {
    private final ToLongFunction<V> keyOf;
    private Object[] slots = new Object[16];
    private int size;

    IdTable(ToLongFunction<V> keyOf) {
        this.keyOf = keyOf;
    }

    int size() {
        return size;
    }

    V get(long key) {
        int mask = slots.length - 1;
        for (int i = home(key, mask); slots[i] != null; i = (i + 1) & mask) {
            V v = valueAt(i);
            if (keyOf.applyAsLong(v) == key) {
                return v;
            }
        }
        return null;
    }

    /** Adds a value whose key is not in the table. */
    void add(V value) {
        if (2 * (size + 1) > slots.length) {
            rehash(2 * slots.length);
        }
        place(slots, value);
        size++;
    }

    /** Removes the value of {@code key} and returns it, or returns null when there is none. */
    V remove(long key) {
        int mask = slots.length - 1;
        int hole = home(key, mask);
        while (slots[hole] != null && keyOf.applyAsLong(valueAt(hole)) != key) {
            hole = (hole + 1) & mask;
        }
        if (slots[hole] == null) {
            return null;
        }
        V removed = valueAt(hole);
        slots[hole] = null;
        size--;
        for (int j = (hole + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int probes = (j - home(keyOf.applyAsLong(valueAt(j)), mask)) & mask;
            if (probes >= ((j - hole) & mask)) { // the hole lies between the entry's home and j: its lookup passes it
                slots[hole] = slots[j];
                slots[j] = null;
                hole = j;
            }
        }
        return removed;
    }

    /** A copy of the values, in no particular order. */
    List<V> values() {
        List<V> values = new ArrayList<>(size);
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                values.add(valueAt(i));
            }
        }
        return values;
    }

    private void rehash(int capacity) {
        Object[] bigger = new Object[capacity];
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                place(bigger, valueAt(i));
            }
        }
        slots = bigger;
    }

    private void place(Object[] table, V value) {
        int mask = table.length - 1;
        int i = home(keyOf.applyAsLong(value), mask);
        while (table[i] != null) {
            i = (i + 1) & mask;
        }
        table[i] = value;
    }

    @SuppressWarnings("unchecked")
    private V valueAt(int i) {
        return (V) slots[i];
    }

    /** Lock ids are often consecutive, and pairs differ in either half: a folded Fibonacci hash suits both. */
    private static int home(long key, int mask) {
        return LongTable.spread(key, mask);
    }
}
