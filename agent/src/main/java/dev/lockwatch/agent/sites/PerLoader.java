package dev.lockwatch.agent.sites;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A value per class loader, found by the loader's identity (never its own {@code equals} or {@code hashCode}: an
 * application loader may define them, and two loaders that compare equal still load different classes), holding
 * the loader weakly, and dropped once the loader is collected. Not thread-safe: callers hold their own lock.
 */
public final class PerLoader<V> {
    private final ReferenceQueue<ClassLoader> collected = new ReferenceQueue<>();
    private final Map<Integer, List<Slot<V>>> byHash = new HashMap<>();
    private int size;

    private static final class Slot<V> extends WeakReference<ClassLoader> {
        final int hash;
        V value;

        Slot(ClassLoader loader, int hash, ReferenceQueue<ClassLoader> queue) {
            super(loader, queue);
            this.hash = hash;
        }
    }

    /** The value for {@code loader} (null for the bootstrap loader is allowed), or null. */
    public V get(ClassLoader loader) {
        Slot<V> s = slot(loader, false);
        return s == null ? null : s.value;
    }

    public void put(ClassLoader loader, V value) {
        slot(loader, true).value = value;
    }

    public int size() {
        return size;
    }

    /** Drops the values of collected loaders, handing each to {@code dropped}. */
    public void purge(Consumer<V> dropped) {
        Reference<? extends ClassLoader> gone;
        while ((gone = collected.poll()) != null) {
            @SuppressWarnings("unchecked")
            Slot<V> s = (Slot<V>) gone;
            List<Slot<V>> same = byHash.get(s.hash);
            if (same != null && same.remove(s)) {
                size--;
                if (same.isEmpty()) {
                    byHash.remove(s.hash);
                }
                if (dropped != null && s.value != null) {
                    dropped.accept(s.value);
                }
            }
        }
    }

    private Slot<V> slot(ClassLoader loader, boolean create) {
        int hash = System.identityHashCode(loader);
        List<Slot<V>> same = byHash.get(hash);
        if (same != null) {
            for (Slot<V> s : same) {
                if (s.get() == loader) {
                    return s;
                }
            }
        }
        if (!create) {
            return null;
        }
        if (same == null) {
            same = new ArrayList<>(1);
            byHash.put(hash, same);
        }
        Slot<V> s = new Slot<>(loader, hash, collected);
        same.add(s);
        size++;
        return s;
    }
}
