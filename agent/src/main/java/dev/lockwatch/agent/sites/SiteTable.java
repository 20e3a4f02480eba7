package dev.lockwatch.agent.sites;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The lock call sites of rewritten classes: each site ({@code com.example.Bank.transfer(Bank.java:42)}) gets an
 * int id when its class is rewritten, and the rewritten call passes that constant, so the fast path never walks a
 * stack (Dl-Check's shape). Reports turn ids back into text.
 *
 * <p>Nothing grows with classes that come and go: sites are kept per class loader, held weakly; when a loader is
 * collected (its classes unloaded), its ids are freed for reuse. A class rewritten again (a retransformation by
 * this or another agent) gets the ids it had. An id carries a generation, so an id that was freed and reused since
 * a thread recorded it reads as "not recorded" rather than as another class's site.
 *
 * <p>Threading: ids are registered by whichever thread loads a class, and read by the watchdog for reports, all
 * under this table's own lock, which no application code ever takes and inside which no class is loaded (what it
 * uses is loaded when the table is built).
 */
public final class SiteTable {
    private static final int INDEX_BITS = 22;
    private static final int INDEX_MASK = (1 << INDEX_BITS) - 1;
    private static final int GENERATIONS = 1 << (31 - INDEX_BITS);

    private final Object lock = new Object();
    /** Per loader: per class name, the ids of its sites by their text. */
    private final PerLoader<Map<String, Map<String, Integer>>> loaders = new PerLoader<>();
    private final List<Integer> free = new ArrayList<>();
    private final Consumer<Map<String, Map<String, Integer>>> freeLoader = new FreeLoader();
    private String[] text = new String[256];
    /** Per site, the key of the lock taken there, or null (see {@link #register(ClassLoader, String, String, String)}). */
    private String[] keys = new String[256];
    private int[] generation = new int[256];
    private int used = 1; // index 0 is "not recorded"
    private int live;

    public SiteTable() {
        synchronized (lock) { // loads what register() needs, so that no class is loaded while the lock is held
            loaders.purge(freeLoader);
        }
        describe(register(SiteTable.class.getClassLoader(), "", ""));
    }

    /** The id of {@code site} in class {@code className} of {@code loader}; the same id each time it is asked. */
    public int register(ClassLoader loader, String className, String site) {
        return register(loader, className, site, null);
    }

    /**
     * The same, for a site whose lock can be named by how the code reaches it: {@code field com.example.Bank.lock},
     * {@code static com.example.Cache.LOCK}, {@code this com.example.Account}, {@code class com.example.Registry},
     * with {@code readLock}/{@code writeLock} appended for the two halves of a read-write lock. Such a key means the
     * same lock (or the same kind of lock) in every run, so lock orders can be compared across JVMs.
     */
    public int register(ClassLoader loader, String className, String site, String key) {
        return register(loader, className, site, key, false);
    }

    /**
     * The same; {@code methodEntry} marks the monitor of a {@code synchronized} method, whose site never shares an
     * id with a block's, even where both read alike (overloads of one name in a class without line numbers): the
     * monitor fast path takes a same-site entry for a block's, which it hashed (see Registry#monitorEntered).
     */
    public int register(ClassLoader loader, String className, String site, String key, boolean methodEntry) {
        synchronized (lock) {
            loaders.purge(freeLoader);
            Map<String, Map<String, Integer>> classes = loaders.get(loader);
            if (classes == null) {
                classes = new HashMap<>();
                loaders.put(loader, classes);
            }
            Map<String, Integer> sites = classes.get(className);
            if (sites == null) {
                sites = new HashMap<>();
                classes.put(className, sites);
            }
            String entry = (methodEntry ? "\u0001" : "") + (key == null ? site : site + "\u0000" + key);
            Integer id = sites.get(entry);
            if (id == null) {
                id = allocate(site, key);
                sites.put(entry, id);
            }
            return id;
        }
    }

    /** The text of a site id, or null when it is 0, unknown, or was freed since. */
    public String describe(int id) {
        int index = id & INDEX_MASK;
        synchronized (lock) { // only reports read sites, rarely
            return index != 0 && index < used && generation[index] == id >>> INDEX_BITS ? text[index] : null;
        }
    }

    /** The key of the lock taken at a site id, or null. */
    public String keyOf(int id) {
        int index = id & INDEX_MASK;
        synchronized (lock) {
            return index != 0 && index < used && generation[index] == id >>> INDEX_BITS ? keys[index] : null;
        }
    }

    /** Sites currently registered (for tests and the stress figures). */
    public int size() {
        synchronized (lock) {
            loaders.purge(freeLoader);
            return live;
        }
    }

    /** Frees the sites of collected class loaders; the watchdog calls it at every check. */
    public void purge() {
        synchronized (lock) {
            loaders.purge(freeLoader);
        }
    }

    private int allocate(String site, String key) {
        int index;
        if (!free.isEmpty()) {
            index = free.remove(free.size() - 1);
        } else {
            if (used > INDEX_MASK) {
                return 0; // four million live sites: the rest are not recorded
            }
            index = used++;
            if (index == generation.length) {
                generation = Arrays.copyOf(generation, generation.length * 2);
                text = Arrays.copyOf(text, generation.length);
                keys = Arrays.copyOf(keys, generation.length);
            }
        }
        text[index] = site;
        keys[index] = key;
        live++;
        return index | generation[index] << INDEX_BITS;
    }

    /** A collected loader's ids go back to the free list, each with its generation moved on. */
    private final class FreeLoader implements Consumer<Map<String, Map<String, Integer>>> {
        @Override
        public void accept(Map<String, Map<String, Integer>> classes) {
            for (Map<String, Integer> sites : classes.values()) {
                for (int id : sites.values()) {
                    int index = id & INDEX_MASK;
                    if (index != 0) {
                        generation[index] = (generation[index] + 1) % GENERATIONS;
                        text[index] = null;
                        keys[index] = null;
                        free.add(index);
                        live--;
                    }
                }
            }
        }
    }
}
