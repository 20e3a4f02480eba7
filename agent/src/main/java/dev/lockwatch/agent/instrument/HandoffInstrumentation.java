package dev.lockwatch.agent.instrument;

import dev.lockwatch.bootstrap.Registry;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Advice for executor hand-offs, all inside {@code java.util.concurrent}:
 * <ul>
 *   <li>waits: a thread about to block on a future that is not done ({@code FutureTask.awaitDone},
 *       {@code CompletableFuture.waitingGet}/{@code timedGet}, {@code ForkJoinTask.get}/{@code join});</li>
 *   <li>runners: which thread runs which task ({@code ForkJoinTask.doExec}, and the asynchronous
 *       {@code CompletableFuture} tasks, recorded by the stage they complete, and every completion as it fires
 *       ({@code tryFire}); a {@code FutureTask}'s runner is in its own {@code runner} field);</li>
 *   <li>submissions: which pool a task was handed to ({@code ThreadPoolExecutor.execute},
 *       {@code ScheduledThreadPoolExecutor.delayedExecute}, {@code ForkJoinPool.execute}/{@code submit});</li>
 *   <li>workers: which threads work for which pool ({@code ThreadPoolExecutor.runWorker},
 *       {@code ForkJoinWorkerThread.run}).</li>
 * </ul>
 * Each advice makes one call into {@link Registry}. All of it is off the uncontended lock path; a wait is
 * recorded only when the future is not done, so a {@code get} of a finished future costs one field read.
 */
public final class HandoffInstrumentation {
    private HandoffInstrumentation() {
    }

    static AgentBuilder apply(AgentBuilder builder) {
        return builder
                .type(named("java.util.concurrent.FutureTask"))
                // FutureTask.run needs no advice: the JDK records the running thread in FutureTask.runner.
                .transform(advice(named("awaitDone").and(takesArguments(2)), FutureTaskWait.class))
                .type(named("java.util.concurrent.CompletableFuture"))
                .transform(advice(named("waitingGet"), CompletableFutureWait.class)
                        .advice(named("timedGet"), CompletableFutureTimedWait.class.getName()))
                .type(named("java.util.concurrent.CompletableFuture$AsyncSupply")
                        .or(named("java.util.concurrent.CompletableFuture$AsyncRun")))
                .transform(advice(named("run").and(takesArguments(0)), RunsStage.class))
                .type(named("java.util.concurrent.CompletableFuture$Completion"))
                .transform(advice(named("run").and(takesArguments(0)), RunsTask.class))
                // A completion fired in the thread that completed its source (thenApply after a supplyAsync): the
                // pool thread runs the function, and so completes the dependent stage, in postComplete.
                .type(nameStartsWith("java.util.concurrent.CompletableFuture$")
                        .and(not(named("java.util.concurrent.CompletableFuture$Signaller")))
                        .and(not(named("java.util.concurrent.CompletableFuture$CoCompletion"))))
                .transform(advice(named("tryFire").and(takesArguments(int.class)).and(not(isAbstract())), RunsTask.class))
                .type(named("java.util.concurrent.ForkJoinTask"))
                .transform(advice(named("doExec"), RunsTask.class)
                        .advice(isPublic().and(named("get").or(named("join"))).and(takesArguments(0)), ForkJoinTaskWait.class.getName())
                        .advice(isPublic().and(named("get")).and(takesArguments(2)), ForkJoinTaskTimedWait.class.getName()))
                .type(named("java.util.concurrent.ThreadPoolExecutor"))
                .transform(advice(named("execute").and(takesArguments(1)), Submits.class)
                        .advice(named("runWorker"), Works.class.getName()))
                .type(named("java.util.concurrent.ScheduledThreadPoolExecutor"))
                .transform(advice(named("delayedExecute"), Submits.class))
                .type(named("java.util.concurrent.ForkJoinPool"))
                .transform(advice(isPublic().and(named("execute")).and(takesArguments(1)), Submits.class)
                        .advice(isPublic().and(named("submit")), SubmitsReturned.class.getName())
                        .advice(isPublic().and(named("invokeAll").or(named("invokeAny"))), BlockingCall.class.getName()))
                .type(named("java.util.concurrent.AbstractExecutorService"))
                .transform(advice(isPublic().and(named("invokeAll").or(named("invokeAny"))), BlockingCall.class))
                .type(named("java.util.concurrent.ForkJoinWorkerThread"))
                .transform(advice(named("run").and(takesArguments(0)), WorksForPool.class));
    }

    private static AgentBuilder.Transformer.ForAdvice advice(ElementMatcher<? super MethodDescription> method, Class<?> advice) {
        return new AgentBuilder.Transformer.ForAdvice()
                .include(HandoffInstrumentation.class.getClassLoader())
                .advice(method, advice.getName());
    }

    /** {@code FutureTask.awaitDone(boolean timed, long nanos)}: only called when the task is not done. */
    public static final class FutureTaskWait {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object future, @Advice.Argument(0) boolean timed) {
            Registry.handoffBegin(future, timed);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit() {
            Registry.waitEnd();
        }
    }

    /** {@code CompletableFuture.waitingGet(boolean)}: {@code get()} and {@code join()} of a stage not done. */
    public static final class CompletableFutureWait {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object future) {
            Registry.handoffBegin(future, false);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit() {
            Registry.waitEnd();
        }
    }

    /** {@code CompletableFuture.timedGet(long)}. */
    public static final class CompletableFutureTimedWait {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object future) {
            Registry.handoffBegin(future, true);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit() {
            Registry.waitEnd();
        }
    }

    /** {@code ForkJoinTask.get()}/{@code join()}: a negative status means done. */
    public static final class ForkJoinTaskWait {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean enter(@Advice.This Object task, @Advice.FieldValue("status") int status) {
            if (status >= 0) {
                Registry.handoffBegin(task, false);
                return true;
            }
            return false;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter boolean began) {
            if (began) { // a join of a finished task began no wait, and must not end an outer one
                Registry.waitEnd();
            }
        }
    }

    /** {@code ForkJoinTask.get(long, TimeUnit)}. */
    public static final class ForkJoinTaskTimedWait {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean enter(@Advice.This Object task, @Advice.FieldValue("status") int status) {
            if (status >= 0) {
                Registry.handoffBegin(task, true);
                return true;
            }
            return false;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter boolean began) {
            if (began) { // a join of a finished task began no wait, and must not end an outer one
                Registry.waitEnd();
            }
        }
    }

    /** A task runs on this thread ({@code ForkJoinTask.doExec}, a stage completion). */
    public static final class RunsTask {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object task) {
            return Registry.taskStarted(task);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object record) {
            Registry.taskEnded(record);
        }
    }

    /**
     * {@code AsyncSupply.run}/{@code AsyncRun.run}: recorded by the stage they complete, read on entry
     * because {@code run} clears the field before calling the application's function.
     */
    public static final class RunsStage {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.FieldValue("dep") Object stage) {
            return Registry.taskStarted(stage);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object record) {
            Registry.taskEnded(record);
        }
    }

    /** A task handed to a pool (the first argument). */
    public static final class Submits {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object pool, @Advice.Argument(0) Object task) {
            Registry.submitted(task, pool);
        }
    }

    /** {@code ForkJoinPool.submit}: the task the caller gets back is the one it will wait for. */
    public static final class SubmitsReturned {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object pool, @Advice.Return Object task) {
            Registry.submitted(task, pool);
        }
    }

    /** {@code invokeAll}/{@code invokeAny}: they block; only the HELD_WHILE_BLOCKING check applies here. */
    public static final class BlockingCall {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Origin("#t.#m") String method) {
            Registry.blockingCall(method);
        }
    }

    /** {@code ThreadPoolExecutor.runWorker}: this thread is a worker of this pool until it returns. */
    public static final class Works {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Object pool) {
            return Registry.workerStarted(pool);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object previous) {
            Registry.workerEnded(previous);
        }
    }

    /** {@code ForkJoinWorkerThread.run}. */
    public static final class WorksForPool {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.FieldValue("pool") Object pool) {
            return Registry.workerStarted(pool);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object previous) {
            Registry.workerEnded(previous);
        }
    }
}
