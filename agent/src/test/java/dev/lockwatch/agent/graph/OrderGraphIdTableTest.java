package dev.lockwatch.agent.graph;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The graph's hash table against {@code java.util.HashMap}; removal's back-shifting is where it could go wrong. */
class OrderGraphIdTableTest {
    private record Entry(long key) {
    }

    @Test
    void agreesWithAHashMapUnderRandomAddsAndRemovals() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            IdTable<Entry> table = new IdTable<>(Entry::key);
            Map<Long, Entry> model = new HashMap<>();
            // Few distinct keys, so that removals hit long probe runs; some keys share their low bits.
            long[] keys = new long[64];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = random.nextBoolean() ? random.nextLong() : (long) i << 32;
            }
            for (int step = 0; step < 5_000; step++) {
                long key = keys[random.nextInt(keys.length)];
                if (random.nextInt(3) == 0) {
                    assertSame(model.remove(key), table.remove(key), "seed " + seed + " step " + step);
                } else if (!model.containsKey(key)) {
                    Entry e = new Entry(key);
                    model.put(key, e);
                    table.add(e);
                }
                assertEquals(model.size(), table.size());
                for (long k : keys) {
                    assertSame(model.get(k), table.get(k), "seed " + seed + " step " + step + " key " + k);
                }
            }
            assertEquals(new HashSet<>(model.values()), new HashSet<>(table.values()));
        }
    }

    @Test
    void growsPastItsFirstCapacityAndEmptiesCompletely() {
        IdTable<Entry> table = new IdTable<>(Entry::key);
        for (long k = 0; k < 10_000; k++) {
            table.add(new Entry(k));
        }
        for (long k = 0; k < 10_000; k++) {
            assertEquals(k, table.get(k).key());
        }
        for (long k = 0; k < 10_000; k++) {
            table.remove(k);
        }
        assertEquals(0, table.size());
        assertNull(table.get(5));
        assertEquals(0, table.values().size());
    }
}
