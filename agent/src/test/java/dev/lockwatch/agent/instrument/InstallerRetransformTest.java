package dev.lockwatch.agent.instrument;

import dev.lockwatch.agent.sites.SiteTable;
import dev.lockwatch.it.apps.Abba;
import dev.lockwatch.it.apps.HelloApp;
import dev.lockwatch.it.apps.NullNameLocks;
import org.junit.jupiter.api.Test;

import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11: each {@code retransformClasses} call is a safepoint, so the installer retransforms the loaded JDK
 * classes in one call and the application classes loaded before an attach in another; when such a call throws,
 * every class is retried on its own, so that one failing class keeps none of the others unchanged, and each failure
 * (and each transformer error) is reported once, for its class. Driven through an {@link Instrumentation} made with
 * {@link Proxy} that records the calls and fails as told.
 */
class InstallerRetransformTest {
    /** The recording {@link Instrumentation}: retransformation calls in order, failing for the classes named. */
    private static final class RecordingInstrumentation {
        final List<List<Class<?>>> calls = new ArrayList<>();
        /** {@code retransformClasses} throws when a call includes one of these (as for an unmodifiable class). */
        final Set<Class<?>> failing = new HashSet<>();
        /** Classes whose transformation reports an error to {@link #transformErrors} in each call that includes them. */
        final Set<Class<?>> transformerFails = new HashSet<>();
        /** Run once, inside the first retransformation call (before it returns or throws). */
        Runnable duringFirstCall = () -> { };
        final AtomicReference<BiConsumer<String, Throwable>> transformErrors = new AtomicReference<>();
        Class<?>[] loaded = new Class<?>[0];

        final Instrumentation inst = (Instrumentation) Proxy.newProxyInstance(Instrumentation.class.getClassLoader(),
                new Class<?>[] {Instrumentation.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "retransformClasses" -> {
                        retransform((Class<?>[]) args[0]);
                        yield null;
                    }
                    case "getAllLoadedClasses" -> loaded.clone();
                    case "isModifiableClass", "isRetransformClassesSupported", "isRedefineClassesSupported" -> true;
                    case "redefineModule", "addTransformer" -> null;
                    case "removeTransformer" -> true;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "RecordingInstrumentation";
                    default -> throw new UnsupportedOperationException(method.getName());
                });

        private void retransform(Class<?>[] classes) throws UnmodifiableClassException {
            calls.add(List.of(classes));
            if (calls.size() == 1) {
                duringFirstCall.run();
            }
            for (Class<?> c : classes) {
                if (transformerFails.contains(c)) {
                    transformErrors.get().accept(c.getName(), new IllegalStateException("transformer failed"));
                }
            }
            for (Class<?> c : classes) {
                if (failing.contains(c)) {
                    throw new UnmodifiableClassException(c.getName());
                }
            }
        }

        BatchRetransform batch(BiConsumer<String, Throwable> onError) {
            BatchRetransform b = new BatchRetransform(inst, onError);
            transformErrors.set(b);
            return b;
        }
    }

    /** The errors reported, as "class: exception class", in order. */
    private static final class Errors implements BiConsumer<String, Throwable> {
        final List<String> seen = new ArrayList<>();

        @Override
        public synchronized void accept(String type, Throwable t) {
            seen.add(type + ": " + t.getClass().getSimpleName());
        }

        synchronized List<String> seen() {
            return List.copyOf(seen);
        }
    }

    @Test
    void classesAreRetransformedInOneCallWhenItSucceeds() {
        RecordingInstrumentation rec = new RecordingInstrumentation();
        Errors errors = new Errors();
        List<Class<?>> classes = List.of(String.class, Integer.class, Long.class);

        int done = rec.batch(errors).retransform(classes);

        assertEquals(List.of(classes), rec.calls, "one call for all the classes");
        assertEquals(3, done);
        assertEquals(List.of(), errors.seen());
    }

    @Test
    void aFailedBatchIsRetriedClassByClassAndOneFailingClassStopsNoOther() {
        RecordingInstrumentation rec = new RecordingInstrumentation();
        rec.failing.add(Integer.class);
        Errors errors = new Errors();
        List<Class<?>> classes = List.of(String.class, Integer.class, Long.class);

        int done = rec.batch(errors).retransform(classes);

        assertEquals(List.of(classes, List.of(String.class), List.of(Integer.class), List.of(Long.class)), rec.calls,
                "the batch, then each class on its own, the ones after the failing class too");
        assertEquals(2, done, "the classes retransformed on their own");
        assertEquals(List.of("java.lang.Integer: UnmodifiableClassException"), errors.seen(),
                "the failing class, once; the batch's own exception is not a second failure");
    }

    @Test
    void everyFailingClassIsReportedOnceWhenSeveralFail() {
        RecordingInstrumentation rec = new RecordingInstrumentation();
        rec.failing.addAll(List.of(String.class, Long.class));
        Errors errors = new Errors();

        int done = rec.batch(errors).retransform(List.of(String.class, Integer.class, Long.class));

        assertEquals(1, done);
        assertEquals(List.of("java.lang.String: UnmodifiableClassException", "java.lang.Long: UnmodifiableClassException"),
                errors.seen());
    }

    @Test
    void aTransformerErrorInABatchThatSucceedsIsReportedOnce() {
        RecordingInstrumentation rec = new RecordingInstrumentation();
        rec.transformerFails.add(Integer.class);
        Errors errors = new Errors();

        int done = rec.batch(errors).retransform(List.of(String.class, Integer.class, Long.class));

        assertEquals(1, rec.calls.size());
        assertEquals(3, done, "a transformer error leaves the class as it was; the call itself succeeded, as before");
        assertEquals(List.of("java.lang.Integer: IllegalStateException"), errors.seen());
    }

    @Test
    void aTransformerErrorInABatchThatIsRetriedIsReportedOnceNotTwice() {
        RecordingInstrumentation rec = new RecordingInstrumentation();
        rec.transformerFails.add(String.class);
        rec.failing.add(Long.class);
        Errors errors = new Errors();

        int done = rec.batch(errors).retransform(List.of(String.class, Integer.class, Long.class));

        assertEquals(4, rec.calls.size(), "the batch and three single calls");
        assertEquals(2, done);
        assertEquals(List.of("java.lang.String: IllegalStateException", "java.lang.Long: UnmodifiableClassException"),
                errors.seen(), "String's transformer ran twice (batch and retry) and is reported for the retry only");
    }

    @Test
    void errorsOfOtherClassesAndOtherThreadsDuringAFailedBatchAreNotDropped() throws Exception {
        RecordingInstrumentation rec = new RecordingInstrumentation();
        rec.failing.add(Integer.class);
        Errors errors = new Errors();
        BatchRetransform batch = rec.batch(errors);
        List<String> seenWhileTheBatchRan = new ArrayList<>();
        rec.duringFirstCall = () -> {
            // A class the transformer loads on this thread, and one another thread loads meanwhile.
            batch.accept("example.LoadedByTheTransformer", new IllegalStateException());
            Thread other = new Thread(() -> batch.accept("example.LoadedElsewhere", new IllegalArgumentException()));
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            seenWhileTheBatchRan.addAll(errors.seen());
        };

        batch.retransform(List.of(String.class, Integer.class));

        assertEquals(List.of("example.LoadedElsewhere: IllegalArgumentException"), seenWhileTheBatchRan,
                "another thread's error is not held");
        assertEquals(List.of("example.LoadedElsewhere: IllegalArgumentException",
                "example.LoadedByTheTransformer: IllegalStateException", "java.lang.Integer: UnmodifiableClassException"),
                errors.seen(), "an error about a class outside the batch is passed on, though the batch is retried");
        batch.accept("example.LoadedLater", new IllegalStateException());
        assertEquals("example.LoadedLater: IllegalStateException", errors.seen().get(3), "nothing held after the batch");
    }

    @Test
    void noClassesNoCall() {
        RecordingInstrumentation rec = new RecordingInstrumentation();

        assertEquals(0, rec.batch(new Errors()).retransform(List.of()));
        assertEquals(List.of(), rec.calls);
    }

    @Test
    void anAttachRetransformsTheJdkClassesInOneCallAndTheApplicationClassesInAnother() throws Exception {
        RecordingInstrumentation rec = new RecordingInstrumentation();
        List<Class<?>> jdk = List.of(AbstractQueuedSynchronizer.class, FutureTask.class, ThreadPoolExecutor.class);
        // Both mention java/util/concurrent/locks/, and no thread waits in them (dev.lockwatch.agent.* would count
        // as the agent's own classes and be left alone).
        List<Class<?>> application = List.of(Abba.class, NullNameLocks.class);
        List<Class<?>> loaded = new ArrayList<>(jdk);
        loaded.addAll(application);
        loaded.addAll(List.of(String.class, HelloApp.class, LockCallSites.class)); // JDK, no lock mentioned, the agent's
        rec.loaded = loaded.toArray(new Class<?>[0]);
        Errors errors = new Errors();

        Installer.Installed installed = Installer.install(rec.inst, Object.class.getModule(), true, false, false, new SiteTable(),
                errors);

        assertEquals(2, rec.calls.size(), "two calls: " + rec.calls);
        assertEquals(Set.copyOf(jdk), Set.copyOf(rec.calls.get(0)));
        assertEquals(Set.copyOf(application), Set.copyOf(rec.calls.get(1)));
        assertEquals(3, installed.jdkClassesRetransformed());
        assertEquals(2, installed.applicationClassesRetransformed());
        assertEquals(0, installed.applicationClassesLeftAlone());
        assertEquals(List.of(), errors.seen());
    }

    @Test
    void anAttachWithAnUnmodifiableClassStillRetransformsTheOthersAndCountsIt() throws Exception {
        RecordingInstrumentation rec = new RecordingInstrumentation();
        rec.loaded = new Class<?>[] {AbstractQueuedSynchronizer.class, FutureTask.class, Abba.class, NullNameLocks.class};
        rec.failing.addAll(List.of(FutureTask.class, Abba.class));
        Errors errors = new Errors();

        Installer.Installed installed = Installer.install(rec.inst, Object.class.getModule(), true, false, false, new SiteTable(),
                errors);

        assertEquals(1, installed.jdkClassesRetransformed());
        assertEquals(1, installed.applicationClassesRetransformed());
        assertEquals(6, rec.calls.size(), "each batch, then its two classes on their own: " + rec.calls);
        assertTrue(rec.calls.stream().filter(c -> c.size() == 1).map(c -> c.get(0)).toList()
                .containsAll(Arrays.asList(rec.loaded)), "every class had a call of its own: " + rec.calls);
        assertEquals(List.of(FutureTask.class.getName() + ": UnmodifiableClassException",
                Abba.class.getName() + ": UnmodifiableClassException"), errors.seen());
    }
}
