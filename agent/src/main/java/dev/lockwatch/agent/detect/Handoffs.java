package dev.lockwatch.agent.detect;

import dev.lockwatch.bootstrap.Registry;
import dev.lockwatch.bootstrap.Submissions;
import dev.lockwatch.bootstrap.ThreadRecord;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.FutureTask;

/**
 * Answers, for a future a thread waits on: who runs it now, or in which pool it is queued. Reads JDK fields
 * only ({@code FutureTask.runner}, {@code state}, the {@code dep} of {@code CompletableFuture}'s internal
 * tasks), never application code. Where it cannot know, it says so, and no edge is drawn.
 */
public final class Handoffs {
    private final VarHandle futureRunner;
    private final VarHandle futureState;
    private final VarHandle futureCallable;
    private final VarHandle adapterTask;
    private final VarHandle stageResult;
    private final VarHandle stageStack;
    private final VarHandle completionNext;
    private final VarHandle coCompletionBase;
    private final Map<Class<?>, VarHandle> depFields = new ConcurrentHashMap<>();

    public Handoffs() throws ReflectiveOperationException {
        MethodHandles.Lookup self = MethodHandles.lookup();
        MethodHandles.Lookup ft = MethodHandles.privateLookupIn(FutureTask.class, self);
        futureRunner = ft.findVarHandle(FutureTask.class, "runner", Thread.class);
        futureState = ft.findVarHandle(FutureTask.class, "state", int.class);
        futureCallable = ft.findVarHandle(FutureTask.class, "callable", java.util.concurrent.Callable.class);
        stageResult = MethodHandles.privateLookupIn(CompletableFuture.class, self)
                .findVarHandle(CompletableFuture.class, "result", Object.class);
        stageStack = field(CompletableFuture.class, "stack");
        completionNext = field(Class.forName("java.util.concurrent.CompletableFuture$Completion"), "next");
        coCompletionBase = field(Class.forName("java.util.concurrent.CompletableFuture$CoCompletion"), "base");
        Class<?> adapter = Class.forName("java.util.concurrent.Executors$RunnableAdapter");
        adapterTask = MethodHandles.privateLookupIn(adapter, self).findVarHandle(adapter, "task", Runnable.class);
    }

    private static VarHandle field(Class<?> owner, String name) throws ReflectiveOperationException {
        return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).unreflectVarHandle(owner.getDeclaredField(name));
    }

    /** Where a future stands: run by a thread, queued in a pool, or unknown (then no edge). */
    public record Standing(Thread runner, Object pool, Object queuedTask) {
        static final Standing UNKNOWN = new Standing(null, null, null);
    }

    /** A fresh view of the dependent stages, for one walk. */
    public Stages stages() {
        return new Stages();
    }

    /**
     * For one walk over the waiting threads: which task completes each stage (its completer: a thread running it,
     * or a pool it is queued in), and which running or queued task each not-yet-triggered dependent stage waits
     * behind; and the threads' recent submissions that both read. Each built on first need, once per walk,
     * whatever the number of waiters.
     */
    public final class Stages {
        private List<Submissions.Entry> submissions;
        private Map<Object, Standing> completers;
        private Map<Object, Standing> behind;

        /** One read of every thread's submission ring per walk (it scans every listed record). */
        List<Submissions.Entry> submissions() {
            if (submissions == null) {
                submissions = Submissions.recent();
            }
            return submissions;
        }

        private void build() {
            if (completers == null) {
                completers = completers(submissions());
                behind = indexDependents(completers);
            }
        }

        /** The stage's one completer; {@link #AMBIGUOUS} if it has several (the first one wins); null if none. */
        Standing completerOf(Object stage) {
            build();
            return completers.get(stage);
        }

        Standing behind(Object stage) {
            build();
            return behind.getOrDefault(stage, Standing.UNKNOWN);
        }
    }

    /** A stage with more than one completer (such as two completeAsync calls): it waits for no single one. */
    static final Standing AMBIGUOUS = new Standing(null, null, null);

    public Standing standing(Object future, Thread waiter, Stages stages) {
        if (future instanceof FutureTask) {
            Thread runner = (Thread) futureRunner.getVolatile(future);
            if (runner != null) {
                return runner == waiter ? Standing.UNKNOWN : new Standing(runner, null, null);
            }
            if ((int) futureState.getVolatile(future) != 0) { // not NEW: done, or completing right now
                return Standing.UNKNOWN;
            }
            return queued(future, stages);
        }
        if (future instanceof CompletableFuture) {
            if (stageResult.getVolatile(future) != null) { // done (the field, not isDone(): subclasses may override it)
                return Standing.UNKNOWN;
            }
            if (completesByTimeout(future)) {
                return Standing.UNKNOWN; // orTimeout/completeOnTimeout: it ends by itself, as a timed wait does
            }
            // Its own task, running or queued; else (thenApply, thenCompose, thenCombine, allOf... of a stage not
            // done yet) the task that completes the first stage of its chain.
            Standing own = stages.completerOf(future);
            Standing standing = own != null ? own : stages.behind(future);
            return standing == AMBIGUOUS || standing.runner() == waiter ? Standing.UNKNOWN : standing;
        }
        if (future instanceof ForkJoinTask) {
            Thread runner = runnerOf(future, waiter);
            if (runner != null) {
                return new Standing(runner, null, null);
            }
            return queued(future, stages);
        }
        return Standing.UNKNOWN;
    }

    private static Standing queued(Object task, Stages stages) {
        for (Submissions.Entry e : stages.submissions()) {
            if (e.task() == task) {
                Object pool = e.pool();
                return pool == null ? Standing.UNKNOWN : new Standing(null, pool, task);
            }
        }
        return Standing.UNKNOWN;
    }

    /** The thread whose record says it runs {@code future} (a {@code ForkJoinTask}). */
    private Thread runnerOf(Object future, Thread waiter) {
        Object[] tasks = new Object[8];
        for (ThreadRecord r : Registry.listed()) {
            int n = r.copyTasks(tasks);
            for (int i = 0; i < n; i++) {
                if (tasks[i] == future) {
                    Thread t = r.get();
                    if (t != null && t != waiter && t.isAlive()) {
                        return t;
                    }
                }
            }
        }
        return null;
    }

    /**
     * Every stage that a task completes, with that task's standing: the threads' records (the stage of a running
     * {@code supplyAsync} task, or the completion a thread fires right now) and the threads' submission rings
     * (tasks not started yet). A stage with two different completers is {@link #AMBIGUOUS}.
     */
    private Map<Object, Standing> completers(List<Submissions.Entry> submissions) {
        Map<Object, Standing> completers = new IdentityHashMap<>();
        Map<Object, Boolean> running = new IdentityHashMap<>();
        Object[] tasks = new Object[8];
        for (ThreadRecord r : Registry.listed()) {
            Thread t = r.get();
            if (t == null || !t.isAlive()) {
                continue;
            }
            int n = r.copyTasks(tasks);
            for (int i = 0; i < n; i++) {
                running.put(tasks[i], Boolean.TRUE);
                Object stage = tasks[i] instanceof CompletableFuture ? tasks[i] : dependentOf(tasks[i]);
                if (stage != null) {
                    addCompleter(completers, stage, new Standing(t, null, null));
                }
            }
        }
        for (Submissions.Entry e : submissions) {
            Object task = e.task();
            Object pool = e.pool();
            if (task == null || pool == null || running.containsKey(task) || keepsStageAfterRunning(task)) {
                continue;
            }
            Object stage = dependentOf(task);
            if (stage != null) {
                addCompleter(completers, stage, new Standing(null, pool, task));
            }
        }
        return completers;
    }

    private static void addCompleter(Map<Object, Standing> completers, Object stage, Standing standing) {
        Standing before = completers.putIfAbsent(stage, standing);
        // identity, never equals(): the pool may be an application subclass
        if (before != null && (before.runner() != standing.runner() || before.pool() != standing.pool()
                || before.queuedTask() != standing.queuedTask())) {
            completers.put(stage, AMBIGUOUS);
        }
    }

    /**
     * A {@code thenComposeAsync} task keeps its stage after it ran when the future its function returned is not
     * done: its entry in the ring no longer says whether it is queued, so it says nothing.
     */
    private static boolean keepsStageAfterRunning(Object task) {
        String name = task.getClass().getName();
        return name.equals("java.util.concurrent.CompletableFuture$UniCompose")
                || name.equals("java.util.concurrent.CompletableFuture$UniComposeExceptionally");
    }

    /** Most completions followed per walk: a bound on the watchdog's work, whatever the application builds. */
    static final int MAX_COMPLETIONS = 100_000;

    /**
     * Follows, from every stage that has one completer, the completions registered on it (the stages that wait
     * for it), transitively. Only AND-dependents are followed: a stage made by {@code applyToEither},
     * {@code acceptEither}, {@code runAfterEither} or {@code anyOf} can complete through another source, and so
     * can a stage that has a completer of its own; they wait behind no single task (no edge). Running tasks come
     * first: a stage behind a running task and a queued one waits for the running one first.
     */
    private Map<Object, Standing> indexDependents(Map<Object, Standing> completers) {
        Map<Object, Standing> behind = new IdentityHashMap<>();
        int[] budget = {MAX_COMPLETIONS};
        for (boolean runningFirst : new boolean[] {true, false}) {
            for (Map.Entry<Object, Standing> root : completers.entrySet()) {
                Standing standing = root.getValue();
                if (standing != AMBIGUOUS && (standing.runner() != null) == runningFirst) {
                    followDependents(root.getKey(), standing, completers, behind, budget);
                }
            }
        }
        return behind;
    }

    private void followDependents(Object root, Standing standing, Map<Object, Standing> completers,
                                  Map<Object, Standing> behind, int[] budget) {
        if (stageResult.getVolatile(root) != null) {
            // Done already: whoever completed it (complete() by hand, a timer) fires the stages after it now, not
            // the thread still listed as running the task.
            return;
        }
        List<Object> dependents = new ArrayList<>();
        if (!readStack(root, dependents, budget)) {
            return; // it times out, and so do the stages after it; or the budget ran out
        }
        Deque<Object> todo = new ArrayDeque<>(dependents);
        while (!todo.isEmpty()) {
            Object stage = todo.poll();
            if (stageResult.getVolatile(stage) != null || behind.containsKey(stage) || completers.containsKey(stage)) {
                continue; // done, seen, or it has a completer of its own (then either one completes it)
            }
            dependents.clear();
            if (!readStack(stage, dependents, budget)) {
                continue; // a stage that times out waits behind nothing
            }
            behind.put(stage, standing);
            todo.addAll(dependents);
        }
    }

    /**
     * Reads the completions registered on a stage: collects the stages that wait for it (AND-dependents only; not
     * when {@code dependents} is null) and returns true; returns false when the stage completes by itself ({@code orTimeout}, {@code completeOnTimeout})
     * or when the walk's budget ran out before the whole stack was read (then nothing is known).
     */
    private boolean readStack(Object stage, List<Object> dependents, int[] budget) {
        for (Object c = stageStack.getVolatile(stage); c != null; c = completionNext.getVolatile(c)) {
            if (--budget[0] < 0) {
                return false;
            }
            if (isTimeoutCanceller(c)) {
                return false;
            }
            if (dependents == null) {
                continue;
            }
            Object completion = c.getClass().getName().equals("java.util.concurrent.CompletableFuture$CoCompletion")
                    ? coCompletionBase.getVolatile(c) : c;
            if (completion == null || isEither(completion)) {
                continue;
            }
            Object dependent = dependentOf(completion);
            if (dependent != null) {
                dependents.add(dependent);
            }
        }
        return true;
    }

    /**
     * Whether {@code orTimeout} or {@code completeOnTimeout} was called on the stage: a timer thread then completes
     * it (they register a {@code whenComplete} whose action is the JDK's {@code Canceller} of the timer task).
     * Reads the whole stack, within {@link #MAX_COMPLETIONS}; a stack longer than that counts as timing out.
     */
    private boolean completesByTimeout(Object stage) {
        return !readStack(stage, null, new int[] {MAX_COMPLETIONS});
    }

    private boolean isTimeoutCanceller(Object completion) {
        if (!completion.getClass().getName().equals("java.util.concurrent.CompletableFuture$UniWhenComplete")) {
            return false;
        }
        Object fn = functionOf(completion);
        return fn != null && fn.getClass().getName().equals("java.util.concurrent.CompletableFuture$Canceller");
    }

    private static boolean isEither(Object completion) {
        String name = completion.getClass().getName();
        return name.startsWith("java.util.concurrent.CompletableFuture$Or") || name.equals("java.util.concurrent.CompletableFuture$AnyOf");
    }

    /** The stage a {@code CompletableFuture} internal task completes (its {@code dep} field), or null. */
    Object dependentOf(Object task) {
        if (!task.getClass().getName().startsWith("java.util.concurrent.CompletableFuture$")) {
            return null;
        }
        return read(task, "dep", depFields);
    }

    private final Map<Class<?>, VarHandle> fnFields = new ConcurrentHashMap<>();

    /**
     * The function of a {@code CompletableFuture} internal task or completion (its {@code fn} field): the
     * application's supplier of a {@code supplyAsync} task, the action of a {@code whenComplete}; null once it ran.
     */
    private Object functionOf(Object task) {
        return read(task, "fn", fnFields);
    }

    /** The value of the field {@code name} of a JDK-internal task, or null when its class has no such field. */
    private static Object read(Object task, String name, Map<Class<?>, VarHandle> cache) {
        VarHandle h = cache.computeIfAbsent(task.getClass(), c -> findField(c, name));
        return h == NO_FIELD ? null : h.getVolatile(task);
    }

    /** Stands for "no such field" in the caches ({@code ConcurrentHashMap} takes no null values). */
    private static final VarHandle NO_FIELD;

    static {
        try {
            NO_FIELD = MethodHandles.lookup().findStaticVarHandle(Handoffs.class, "noField", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private static Object noField;

    private static VarHandle findField(Class<?> c, String name) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            try {
                Field f = k.getDeclaredField(name);
                return MethodHandles.privateLookupIn(k, MethodHandles.lookup()).unreflectVarHandle(f);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (IllegalAccessException e) {
                return NO_FIELD;
            }
        }
        return NO_FIELD;
    }

    /** A name for a task that says what it does: the application's callable or runnable class. */
    public String taskName(Object task) {
        Object inner = task;
        String className = task.getClass().getName();
        if (className.equals("java.util.concurrent.CompletableFuture$AsyncSupply")
                || className.equals("java.util.concurrent.CompletableFuture$AsyncRun")) {
            Object fn = functionOf(task);
            if (fn != null) {
                inner = fn;
            }
        } else if (task instanceof FutureTask) {
            Object callable = futureCallable.get(task);
            if (callable != null) {
                inner = callable;
                if (callable.getClass().getName().equals("java.util.concurrent.Executors$RunnableAdapter")) {
                    Object runnable = adapterTask.get(callable);
                    if (runnable != null) {
                        inner = runnable;
                    }
                }
            }
        }
        String name = task.getClass().getName();
        return inner == task ? name : name + " of " + inner.getClass().getName();
    }
}
