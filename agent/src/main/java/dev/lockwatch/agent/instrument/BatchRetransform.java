package dev.lockwatch.agent.instrument;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Retransforms loaded classes in one {@code retransformClasses} call, one safepoint for all of them rather than one
 * a class (issue 11: an attach went from 48 safepoints to 3). If that call throws (an unmodifiable class, one whose
 * new version fails to load: HotSpot then redefines none of them), every class is retried on its own, so that one
 * bad class does not keep the others unchanged, and each failure is reported for its class as before.
 *
 * <p>This is also the error sink of the transformers. A batch that is retried calls them twice for each class; so
 * the errors they report on the retransforming thread while a batch runs are held, passed on when it succeeds, and
 * for its own classes dropped when it fails (the retry reports them again): each class's errors count once. Errors
 * from other threads (classes loaded meanwhile) pass straight through. Only the retransforming thread touches
 * {@link #held}; {@link #holding} is volatile so that other threads see, at worst late, that it is not theirs.
 */
final class BatchRetransform implements BiConsumer<String, Throwable> {
    private final Instrumentation inst;
    private final BiConsumer<String, Throwable> onError;
    private volatile Thread holding;
    private final List<HeldError> held = new ArrayList<>();

    private record HeldError(String type, Throwable error) {
    }

    BatchRetransform(Instrumentation inst, BiConsumer<String, Throwable> onError) {
        this.inst = inst;
        this.onError = onError;
    }

    /** A transformer's error (the class's binary name, dotted). */
    @Override
    public void accept(String type, Throwable t) {
        if (Thread.currentThread() == holding) {
            held.add(new HeldError(type, t));
        } else {
            onError.accept(type, t);
        }
    }

    /** Returns how many of {@code classes} were retransformed; each one that was not is reported to the error sink. */
    int retransform(List<Class<?>> classes) {
        if (classes.isEmpty()) {
            return 0;
        }
        Set<String> redone = Set.of();
        holding = Thread.currentThread();
        try {
            inst.retransformClasses(classes.toArray(new Class<?>[0]));
            return classes.size();
        } catch (Throwable batch) {
            redone = new HashSet<>();
            for (Class<?> c : classes) {
                redone.add(c.getName());
            }
        } finally {
            holding = null;
            for (HeldError e : held) {
                if (!redone.contains(e.type())) {
                    onError.accept(e.type(), e.error());
                }
            }
            held.clear();
        }
        int done = 0;
        for (Class<?> c : classes) {
            try {
                inst.retransformClasses(c);
                done++;
            } catch (Throwable t) {
                onError.accept(c.getName(), t);
            }
        }
        return done;
    }
}
