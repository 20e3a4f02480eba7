package dev.lockwatch.agent.detect;

import dev.lockwatch.bootstrap.Registry;
import dev.lockwatch.bootstrap.Submissions;
import dev.lockwatch.bootstrap.ThreadRecord;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
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
    private final Map<Class<?>, VarHandle> depFields = new ConcurrentHashMap<>();

    public Handoffs() throws ReflectiveOperationException {
        MethodHandles.Lookup self = MethodHandles.lookup();
        MethodHandles.Lookup ft = MethodHandles.privateLookupIn(FutureTask.class, self);
        futureRunner = ft.findVarHandle(FutureTask.class, "runner", Thread.class);
        futureState = ft.findVarHandle(FutureTask.class, "state", int.class);
        futureCallable = ft.findVarHandle(FutureTask.class, "callable", java.util.concurrent.Callable.class);
        stageResult = MethodHandles.privateLookupIn(CompletableFuture.class, self)
                .findVarHandle(CompletableFuture.class, "result", Object.class);
        Class<?> adapter = Class.forName("java.util.concurrent.Executors$RunnableAdapter");
        adapterTask = MethodHandles.privateLookupIn(adapter, self).findVarHandle(adapter, "task", Runnable.class);
    }

    /** Where a future stands: run by a thread, queued in a pool, or unknown (then no edge). */
    public record Standing(Thread runner, Object pool, Object queuedTask) {
        static final Standing UNKNOWN = new Standing(null, null, null);
    }

    public Standing standing(Object future, Thread waiter) {
        if (future instanceof FutureTask) {
            Thread runner = (Thread) futureRunner.getVolatile(future);
            if (runner != null) {
                return runner == waiter ? Standing.UNKNOWN : new Standing(runner, null, null);
            }
            if ((int) futureState.getVolatile(future) != 0) { // not NEW: done, or completing right now
                return Standing.UNKNOWN;
            }
            return queued(future, future);
        }
        if (future instanceof CompletableFuture) {
            if (stageResult.getVolatile(future) != null) { // done (the field, not isDone(): subclasses may override it)
                return Standing.UNKNOWN;
            }
            Thread runner = runnerOf(future, waiter);
            if (runner != null) {
                return new Standing(runner, null, null);
            }
            for (Submissions.Entry e : Submissions.recent()) {
                Object task = e.task();
                if (task != null && dependentOf(task) == future) {
                    Object pool = e.pool();
                    return pool == null ? Standing.UNKNOWN : new Standing(null, pool, task);
                }
            }
            return Standing.UNKNOWN; // a stage that waits for another stage: who completes that is not known
        }
        if (future instanceof ForkJoinTask) {
            Thread runner = runnerOf(future, waiter);
            if (runner != null) {
                return new Standing(runner, null, null);
            }
            return queued(future, future);
        }
        return Standing.UNKNOWN;
    }

    private static Standing queued(Object future, Object task) {
        for (Submissions.Entry e : Submissions.recent()) {
            if (e.task() == task) {
                Object pool = e.pool();
                return pool == null ? Standing.UNKNOWN : new Standing(null, pool, task);
            }
        }
        return Standing.UNKNOWN;
    }

    /** The thread whose record says it runs {@code future}, or a task that completes it. */
    private Thread runnerOf(Object future, Thread waiter) {
        Object[] tasks = new Object[8];
        for (ThreadRecord r : Registry.listed()) {
            int n = r.copyTasks(tasks);
            for (int i = 0; i < n; i++) {
                Object running = tasks[i];
                if (running == future || dependentOf(running) == future) {
                    Thread t = r.get();
                    if (t != null && t != waiter && t.isAlive()) {
                        return t;
                    }
                }
            }
        }
        return null;
    }

    /** The stage a {@code CompletableFuture} internal task completes (its {@code dep} field), or null. */
    Object dependentOf(Object task) {
        Class<?> c = task.getClass();
        if (!c.getName().startsWith("java.util.concurrent.CompletableFuture$")) {
            return null;
        }
        VarHandle dep = depFields.computeIfAbsent(c, Handoffs::findDep);
        return dep == NO_DEP ? null : dep.get(task);
    }

    private static final VarHandle NO_DEP;

    static {
        try {
            NO_DEP = MethodHandles.lookup().findStaticVarHandle(Handoffs.class, "noDep", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private static Object noDep;

    private static VarHandle findDep(Class<?> c) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            try {
                Field f = k.getDeclaredField("dep");
                return MethodHandles.privateLookupIn(k, MethodHandles.lookup()).unreflectVarHandle(f);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (IllegalAccessException e) {
                return NO_DEP;
            }
        }
        return NO_DEP;
    }

    /** A name for a task that says what it does: the application's callable or runnable class. */
    public String taskName(Object task) {
        Object inner = task;
        if (task instanceof FutureTask) {
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
