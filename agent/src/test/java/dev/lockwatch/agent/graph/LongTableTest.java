package dev.lockwatch.agent.graph;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A check's id table against {@code java.util.HashMap}: consecutive ids, ids that share their low bits, growth. */
class LongTableTest {

    @Test
    void agreesWithAHashMapWhileItGrows() {
        for (long seed = 1; seed <= 10; seed++) {
            Random random = new Random(seed);
            LongTable<Object> table = new LongTable<>(random.nextInt(4)); // too small: it grows
            Map<Long, Object> model = new HashMap<>();
            for (int step = 0; step < 20_000; step++) {
                long key = switch (random.nextInt(3)) {
                    case 0 -> 1000 + random.nextInt(5_000);         // consecutive thread ids
                    case 1 -> (long) random.nextInt(64) << 32;       // the same low bits
                    default -> random.nextLong();
                };
                Object value = new Object();
                if (random.nextBoolean()) {
                    assertSame(model.put(key, value), table.put(key, value), "seed " + seed + " step " + step);
                } else {
                    assertSame(model.putIfAbsent(key, value), table.putIfAbsent(key, value), "seed " + seed);
                }
                assertEquals(model.size(), table.size());
            }
            for (Map.Entry<Long, Object> e : model.entrySet()) {
                assertSame(e.getValue(), table.get(e.getKey()));
            }
            long[] keys = table.keys();
            Arrays.sort(keys);
            assertArrayEquals(model.keySet().stream().mapToLong(Long::longValue).sorted().toArray(), keys);
            assertNull(table.get(-1));
            assertFalse(table.containsKey(-1));
        }
    }

    @Test
    void aCopyIsATableOfItsOwn() {
        LongTable<String> table = new LongTable<>(2);
        table.put(1, "one");
        LongTable<String> copy = table.copy();
        copy.put(2, "two");
        table.replaceAll(v -> v + "!");

        assertEquals("one!", table.get(1));
        assertNull(table.get(2));
        assertEquals("one", copy.get(1));
        assertTrue(copy.containsKey(2));
    }
}
