package dev.lockwatch.agent.jdk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountedCompleter;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Reads what the JDK records inside its tasks, stages and pools: who runs a {@code FutureTask}, whether a stage is
 * done, the completions registered on it, the stage an internal task completes, the root of a
 * {@code CountedCompleter}, and whether a {@code ThreadPoolExecutor} can still add a worker. Fields only, through
 * {@link VarHandle}s (the packages are opened to the agent at start-up); never a method of an object that could be
 * an application subclass. Where a field is missing (another JDK), the answer is "not known".
 */
public final class JdkTasks {
    private static final String STAGE_PREFIX = "java.util.concurrent.CompletableFuture$";
    private static final int COUNT_BITS = Integer.SIZE - 3;
    private static final int COUNT_MASK = (1 << COUNT_BITS) - 1;

    private final VarHandle futureRunner;
    private final VarHandle futureState;
    private final VarHandle futureCallable;
    private final VarHandle adapterTask;
    private final VarHandle stageResult;
    private final VarHandle stageStack;
    private final VarHandle completionNext;
    private final VarHandle coCompletionBase;
    private final VarHandle completer;
    private final VarHandle poolCtl;
    private final VarHandle poolMaximum;
    private final VarHandle poolQueue;
    private final Map<Class<?>, VarHandle> depFields = new ConcurrentHashMap<>();
    private final Map<Class<?>, VarHandle> fnFields = new ConcurrentHashMap<>();

    public JdkTasks() throws ReflectiveOperationException {
        futureRunner = field(FutureTask.class, "runner");
        futureState = field(FutureTask.class, "state");
        futureCallable = field(FutureTask.class, "callable");
        adapterTask = field(Class.forName("java.util.concurrent.Executors$RunnableAdapter"), "task");
        stageResult = field(CompletableFuture.class, "result");
        stageStack = field(CompletableFuture.class, "stack");
        completionNext = field(Class.forName(STAGE_PREFIX + "Completion"), "next");
        coCompletionBase = field(Class.forName(STAGE_PREFIX + "CoCompletion"), "base");
        completer = field(CountedCompleter.class, "completer");
        poolCtl = field(ThreadPoolExecutor.class, "ctl");
        poolMaximum = field(ThreadPoolExecutor.class, "maximumPoolSize");
        poolQueue = field(ThreadPoolExecutor.class, "workQueue");
    }

    static VarHandle field(Class<?> owner, String name) throws ReflectiveOperationException {
        Field f = owner.getDeclaredField(name);
        return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).unreflectVarHandle(f);
    }

    /** The thread running a {@code FutureTask}, or null. */
    public Thread runner(FutureTask<?> task) {
        return (Thread) futureRunner.getVolatile(task);
    }

    /** Whether a {@code FutureTask} is still NEW (not run, not completing, not done). */
    public boolean isNew(FutureTask<?> task) {
        return (int) futureState.getVolatile(task) == 0;
    }

    /** What a {@code FutureTask} runs: the application's callable, or the runnable inside the JDK's adapter. */
    public Object work(FutureTask<?> task) {
        Object callable = futureCallable.get(task);
        if (callable != null && callable.getClass().getName().equals("java.util.concurrent.Executors$RunnableAdapter")) {
            Object runnable = adapterTask.get(callable);
            return runnable != null ? runnable : callable;
        }
        return callable;
    }

    /** Done, read from the field (not {@code isDone()}: subclasses may override it). */
    public boolean isDone(CompletableFuture<?> stage) {
        return stageResult.getVolatile(stage) != null;
    }

    /** The first completion registered on a stage (the stages and actions that wait for it), or null. */
    public Object firstCompletion(CompletableFuture<?> stage) {
        return stageStack.getVolatile(stage);
    }

    public Object nextCompletion(Object completion) {
        return completionNext.getVolatile(completion);
    }

    /** A {@code CoCompletion} only forwards to the two-input completion it belongs to. */
    public Object unwrap(Object completion) {
        return completion.getClass().getName().equals(STAGE_PREFIX + "CoCompletion")
                ? coCompletionBase.getVolatile(completion) : completion;
    }

    /** The stage a {@code CompletableFuture} internal task or completion completes (its {@code dep}), or null. */
    public Object dependentOf(Object task) {
        if (!task.getClass().getName().startsWith(STAGE_PREFIX)) {
            return null;
        }
        return read(task, "dep", depFields);
    }

    /**
     * The function of a {@code CompletableFuture} internal task or completion (its {@code fn}): the application's
     * supplier of a {@code supplyAsync} task, the action of a {@code whenComplete}; null once it ran.
     */
    public Object functionOf(Object task) {
        return read(task, "fn", fnFields);
    }

    /** The root of a {@code CountedCompleter}'s chain of completers (the task a caller of {@code invoke} waits for). */
    public Object rootOf(ForkJoinTask<?> task) {
        Object t = task;
        for (int depth = 0; depth < 10_000 && t instanceof CountedCompleter; depth++) {
            Object up = completer.getVolatile(t);
            if (up == null) {
                return t;
            }
            t = up;
        }
        return t;
    }

    /**
     * Whether a {@code ThreadPoolExecutor} can still add a worker: below its maximum size, with a bounded queue
     * (it adds one when a submission finds the queue full; with an unbounded queue it never grows past its core).
     * Only the JDK's own queues are asked for their capacity; an application's queue counts as bounded.
     */
    public boolean canGrow(ThreadPoolExecutor pool) {
        Object ctl = poolCtl.get(pool);
        int workers = ((java.util.concurrent.atomic.AtomicInteger) ctl).get() & COUNT_MASK;
        int maximum = (int) poolMaximum.getVolatile(pool);
        if (workers >= maximum) {
            return false;
        }
        BlockingQueue<?> queue = (BlockingQueue<?>) poolQueue.get(pool);
        if (queue == null) {
            return false;
        }
        switch (queue.getClass().getName()) {
            case "java.util.concurrent.ArrayBlockingQueue":
            case "java.util.concurrent.SynchronousQueue":
                return true;
            case "java.util.concurrent.LinkedBlockingQueue":
            case "java.util.concurrent.LinkedBlockingDeque":
                return (long) queue.remainingCapacity() + queue.size() < Integer.MAX_VALUE;
            case "java.util.concurrent.LinkedTransferQueue":
            case "java.util.concurrent.PriorityBlockingQueue":
            case "java.util.concurrent.DelayQueue":
            case "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue":
                return false;
            default:
                // The application's own queue may be bounded: the pool may still grow, so it is not called starved.
                return !queue.getClass().getName().startsWith("java.");
        }
    }

    /** The value of the field {@code name} of a JDK-internal object, or null when its class has no such field. */
    private static Object read(Object o, String name, Map<Class<?>, VarHandle> cache) {
        VarHandle h = cache.get(o.getClass());
        if (h == null) {
            h = find(o.getClass(), name);
            cache.put(o.getClass(), h);
        }
        return h == NO_FIELD ? null : h.getVolatile(o);
    }

    /** Stands for "no such field" in the caches ({@code ConcurrentHashMap} takes no null values). */
    private static final VarHandle NO_FIELD;

    static {
        try {
            NO_FIELD = MethodHandles.lookup().findStaticVarHandle(JdkTasks.class, "noField", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private static Object noField;

    private static VarHandle find(Class<?> c, String name) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            try {
                return field(k, name);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (ReflectiveOperationException | RuntimeException e) {
                return NO_FIELD;
            }
        }
        return NO_FIELD;
    }

    /** A name for a task that says what it does: its class, and the application's callable or function inside. */
    public String name(Object task) {
        Object inner = task;
        String className = task.getClass().getName();
        if (className.equals(STAGE_PREFIX + "AsyncSupply") || className.equals(STAGE_PREFIX + "AsyncRun")) {
            Object fn = functionOf(task);
            if (fn != null) {
                inner = fn;
            }
        } else if (task instanceof FutureTask) {
            Object work = work((FutureTask<?>) task);
            if (work != null) {
                inner = work;
            }
        }
        return inner == task ? className : className + " of " + inner.getClass().getName();
    }
}
