package dev.lockwatch.agent.sites;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loaded class a stack frame runs in, found among the loaded classes ({@link Instrumentation#getAllLoadedClasses})
 * by name and loader name: no class loader is asked, nothing is loaded. The index of names is taken when first
 * needed and again when a name is missing from it (a class loaded since), and dropped by {@link #forget}, so that it
 * keeps no class alive between reports.
 *
 * <p>Watchdog thread only.
 */
public final class LoadedClasses {
    private final Instrumentation inst;
    private Map<String, List<Class<?>>> byName;

    /** {@code inst} null (tests, benchmarks): no class is ever found. */
    public LoadedClasses(Instrumentation inst) {
        this.inst = inst;
    }

    /** The loaded class a frame runs in, told apart by its loader's name when several have its name; or null. */
    public Class<?> classOf(StackTraceElement frame) {
        List<Class<?>> named = named(frame.getClassName());
        Class<?> only = null;
        for (Class<?> c : named) {
            ClassLoader loader = c.getClassLoader();
            String loaderName = loader == null ? null : loader.getName();
            boolean sameLoader = java.util.Objects.equals(loaderName, frame.getClassLoaderName());
            if (named.size() == 1 || sameLoader) {
                if (only != null) {
                    return null; // two classes of that name and loader name: cannot tell
                }
                only = c;
            }
        }
        return only;
    }

    /** The loaded classes of that binary name (several loaders may each have one); empty if none. */
    public List<Class<?>> named(String name) {
        if (inst == null) {
            return List.of();
        }
        List<Class<?>> named = index(false).getOrDefault(name, List.of());
        return named.isEmpty() ? index(true).getOrDefault(name, List.of()) : named; // loaded since the index was taken
    }

    private Map<String, List<Class<?>>> index(boolean fresh) {
        if (byName == null || fresh) {
            Map<String, List<Class<?>>> index = new HashMap<>();
            for (Class<?> c : inst.getAllLoadedClasses()) {
                if (!c.isArray() && !c.isHidden()) {
                    index.computeIfAbsent(c.getName(), k -> new ArrayList<>(1)).add(c);
                }
            }
            byName = index;
        }
        return byName;
    }

    /** Drops the index, so that classes can be unloaded. */
    public void forget() {
        byName = null;
    }
}
