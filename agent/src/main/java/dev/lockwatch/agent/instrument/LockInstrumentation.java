package dev.lockwatch.agent.instrument;

import dev.lockwatch.bootstrap.Registry;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.Nexus;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.util.function.BiConsumer;

import static net.bytebuddy.matcher.ElementMatchers.isFinal;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Advice inside the JDK: the contended acquire of {@code AbstractQueuedSynchronizer} and
 * {@code AbstractQueuedLongSynchronizer} (the one method every {@code ReentrantLock}, read lock, write lock and
 * {@code Condition} re-acquire goes through when it has to park; {@code ReentrantReadWriteLock} is built on
 * the long variant since JDK 23) records the wait just before the thread may park, and clears it when the
 * acquire returns. The uncontended fast path is not touched: the JDK already records exclusive owners.
 */
public final class LockInstrumentation {
    private LockInstrumentation() {
    }

    /**
     * Every JDK class that the advice goes into, loaded before the agent builder is installed: a class that is
     * first loaded while Byte Buddy transforms another one (it loads nested classes to describe their outer
     * class) is skipped by the re-entrancy guard, and would then never be instrumented.
     */
    static final String[] TARGETS = {
            "java.util.concurrent.locks.AbstractQueuedSynchronizer",
            "java.util.concurrent.locks.AbstractQueuedLongSynchronizer",
            "java.util.concurrent.FutureTask",
            "java.util.concurrent.CompletableFuture",
            "java.util.concurrent.CompletableFuture$AsyncSupply",
            "java.util.concurrent.CompletableFuture$AsyncRun",
            "java.util.concurrent.CompletableFuture$Completion",
            "java.util.concurrent.CompletableFuture$UniCompletion",
            "java.util.concurrent.CompletableFuture$UniApply",
            "java.util.concurrent.CompletableFuture$UniAccept",
            "java.util.concurrent.CompletableFuture$UniRun",
            "java.util.concurrent.CompletableFuture$UniCompose",
            "java.util.concurrent.CompletableFuture$UniHandle",
            "java.util.concurrent.CompletableFuture$UniWhenComplete",
            "java.util.concurrent.CompletableFuture$UniExceptionally",
            "java.util.concurrent.CompletableFuture$UniRelay",
            "java.util.concurrent.CompletableFuture$BiApply",
            "java.util.concurrent.CompletableFuture$BiAccept",
            "java.util.concurrent.CompletableFuture$BiRun",
            "java.util.concurrent.CompletableFuture$BiRelay",
            "java.util.concurrent.CompletableFuture$UniComposeExceptionally",
            "java.util.concurrent.CompletableFuture$OrApply",
            "java.util.concurrent.CompletableFuture$OrAccept",
            "java.util.concurrent.CompletableFuture$OrRun",
            "java.util.concurrent.CompletableFuture$AnyOf",
            "java.util.concurrent.ForkJoinTask",
            "java.util.concurrent.ForkJoinPool",
            "java.util.concurrent.ForkJoinWorkerThread",
            "java.util.concurrent.ThreadPoolExecutor",
            "java.util.concurrent.ScheduledThreadPoolExecutor",
            "java.util.concurrent.AbstractExecutorService",
            "java.util.concurrent.Executors$RunnableAdapter",
    };

    public static void install(Instrumentation inst, BiConsumer<String, Throwable> onError) {
        for (String target : TARGETS) {
            try {
                Class.forName(target, false, null);
            } catch (ClassNotFoundException e) {
                onError.accept(target, e);
            }
        }
        // Advice is inlined, so Byte Buddy's Nexus (self-injection of initializers) is never needed; disabling
        // it keeps Byte Buddy from reaching for sun.misc.Unsafe, which JDK 24+ warns about on stderr.
        System.setProperty(Nexus.PROPERTY, "true");
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .with(new ErrorListener(onError))
                .assureReadEdgeTo(inst, Registry.class)
                .ignore(nameStartsWith("dev.lockwatch."))
                .type(named("java.util.concurrent.locks.AbstractQueuedSynchronizer")
                        .or(named("java.util.concurrent.locks.AbstractQueuedLongSynchronizer")))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(LockInstrumentation.class.getClassLoader())
                        .advice(named("acquire").and(takesArguments(6)).and(isFinal()), AqsAcquireAdvice.class.getName()));
        HandoffInstrumentation.apply(builder).installOn(inst);
    }

    /**
     * Inlined into {@code AbstractQueuedSynchronizer.acquire(Node, int arg, boolean shared,
     * boolean interruptible, boolean timed, long time)} (JDK 14+), and the same method of
     * {@code AbstractQueuedLongSynchronizer} ({@code long arg}).
     */
    public static final class AqsAcquireAdvice {
        private AqsAcquireAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object sync, @Advice.Argument(2) boolean shared, @Advice.Argument(4) boolean timed) {
            Registry.waitBegin(sync, shared, timed);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit() {
            Registry.waitEnd();
        }
    }

    /** Counts and reports transformation errors; a test asserts there are none. */
    static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        private final BiConsumer<String, Throwable> onError;

        ErrorListener(BiConsumer<String, Throwable> onError) {
            this.onError = onError;
        }

        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded, Throwable throwable) {
            onError.accept(typeName, throwable);
        }

        @Override
        public void onTransformation(TypeDescription typeDescription, ClassLoader classLoader, JavaModule module,
                                     boolean loaded, DynamicType dynamicType) {
            // nothing: success is the normal case
        }
    }
}
