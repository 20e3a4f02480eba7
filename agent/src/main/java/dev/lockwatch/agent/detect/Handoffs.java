package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.jdk.JdkTasks;
import dev.lockwatch.bootstrap.Registry;
import dev.lockwatch.bootstrap.Submissions;
import dev.lockwatch.bootstrap.ThreadRecord;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountedCompleter;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.FutureTask;

/**
 * Answers, for a future a thread waits on: who runs it now, or in which pool it is queued. Reads what the JDK
 * records ({@link JdkTasks}) and what the registry recorded (which thread runs which task, the threads' recent
 * submissions), never application code. Where it cannot know, it says so, and no edge is drawn.
 */
public final class Handoffs {
    private final JdkTasks tasks;

    public Handoffs(JdkTasks tasks) {
        this.tasks = tasks;
    }

    /** Where a future stands: run by threads, queued in a pool, or unknown (then no edge). */
    public record Standing(List<Thread> runners, Object pool, Object queuedTask) {
        static final Standing UNKNOWN = new Standing(List.of(), null, null);

        static Standing runBy(Thread t) {
            return new Standing(List.of(t), null, null);
        }

        Thread runner() {
            return runners.isEmpty() ? null : runners.get(0);
        }
    }

    /** A fresh view of the running tasks and dependent stages, for one walk. */
    public Stages stages() {
        return new Stages();
    }

    /** The application's task inside a JDK task, for reports. */
    public String taskName(Object task) {
        return tasks.name(task);
    }

    /**
     * For one walk over the waiting threads, built on first need, once per walk whatever the number of waiters: the
     * threads' records with what they run, their recent submissions, which task completes each stage (its
     * completer: a thread running it, or a pool it is queued in), and which running or queued task each stage not
     * yet triggered waits behind.
     */
    public final class Stages {
        private List<ThreadRecord> listed;
        private List<Submissions.Entry> submissions;
        private Map<Object, Standing> completers;
        private Map<Object, Standing> behind;

        List<ThreadRecord> listed() {
            if (listed == null) {
                listed = Registry.listed();
            }
            return listed;
        }

        /** One read of every thread's submission ring per walk (it scans every listed record). */
        List<Submissions.Entry> submissions() {
            if (submissions == null) {
                submissions = Submissions.recent();
            }
            return submissions;
        }

        private void build() {
            if (completers == null) {
                completers = completers(this);
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
    static final Standing AMBIGUOUS = new Standing(List.of(), null, null);

    public Standing standing(Object future, Thread waiter, Stages stages) {
        if (future instanceof FutureTask) {
            FutureTask<?> task = (FutureTask<?>) future;
            Thread runner = tasks.runner(task);
            if (runner != null) {
                return runner == waiter ? Standing.UNKNOWN : Standing.runBy(runner);
            }
            if (!tasks.isNew(task)) { // done, or completing right now
                return Standing.UNKNOWN;
            }
            return queued(future, stages);
        }
        if (future instanceof CompletableFuture) {
            CompletableFuture<?> stage = (CompletableFuture<?>) future;
            if (tasks.isDone(stage)) {
                return Standing.UNKNOWN;
            }
            if (completesByTimeout(stage)) {
                return Standing.UNKNOWN; // orTimeout/completeOnTimeout: it ends by itself, as a timed wait does
            }
            // Its own task, running or queued; else (thenApply, thenCompose, thenCombine, allOf... of a stage not
            // done yet) the task that completes the first stage of its chain.
            Standing own = stages.completerOf(future);
            Standing standing = own != null ? own : stages.behind(future);
            return standing == AMBIGUOUS || standing.runner() == waiter ? Standing.UNKNOWN : standing;
        }
        if (future instanceof ForkJoinTask) {
            List<Thread> runners = runnersOf((ForkJoinTask<?>) future, waiter, stages);
            if (!runners.isEmpty()) {
                return new Standing(runners, null, null);
            }
            return queued(future, stages);
        }
        return Standing.UNKNOWN;
    }

    private static Standing queued(Object task, Stages stages) {
        for (Submissions.Entry e : stages.submissions()) {
            if (e.task() == task) {
                Object pool = e.pool();
                return pool == null ? Standing.UNKNOWN : new Standing(List.of(), pool, task);
            }
        }
        return Standing.UNKNOWN;
    }

    /**
     * The threads whose records say they run {@code task}, or, for the root of a {@code CountedCompleter} (a
     * parallel stream's, which the caller of {@code invoke} waits for while workers run its subtasks), every
     * thread running a task of its tree: the root completes only when each of them is done.
     */
    private List<Thread> runnersOf(ForkJoinTask<?> task, Thread waiter, Stages stages) {
        List<Thread> runners = new ArrayList<>(1);
        boolean tree = task instanceof CountedCompleter;
        Object[] running = new Object[8];
        for (ThreadRecord r : stages.listed()) {
            int n = r.copyTasks(running);
            for (int i = 0; i < n; i++) {
                Object t = running[i];
                boolean ofTask = t == task || (tree && t instanceof CountedCompleter && tasks.rootOf((ForkJoinTask<?>) t) == task);
                if (ofTask) {
                    Thread thread = r.get();
                    if (thread != null && thread != waiter && thread.isAlive() && !runners.contains(thread)) {
                        runners.add(thread);
                    }
                    break;
                }
            }
        }
        return runners;
    }

    /**
     * Every stage that a task completes, with that task's standing: the threads' records (the stage of a running
     * {@code supplyAsync} task, or the completion a thread fires right now) and the threads' submission rings
     * (tasks not started yet). A stage with two different completers is {@link #AMBIGUOUS}.
     */
    private Map<Object, Standing> completers(Stages stages) {
        Map<Object, Standing> completers = new IdentityHashMap<>();
        Map<Object, Boolean> running = new IdentityHashMap<>();
        Object[] runningNow = new Object[8];
        for (ThreadRecord r : stages.listed()) {
            Thread t = r.get();
            if (t == null || !t.isAlive()) {
                continue;
            }
            int n = r.copyTasks(runningNow);
            for (int i = 0; i < n; i++) {
                running.put(runningNow[i], Boolean.TRUE);
                Object stage = runningNow[i] instanceof CompletableFuture ? runningNow[i] : tasks.dependentOf(runningNow[i]);
                if (stage != null) {
                    addCompleter(completers, stage, Standing.runBy(t));
                }
            }
        }
        for (Submissions.Entry e : stages.submissions()) {
            Object task = e.task();
            Object pool = e.pool();
            if (task == null || pool == null || running.containsKey(task) || keepsStageAfterRunning(task)) {
                continue;
            }
            Object stage = tasks.dependentOf(task);
            if (stage != null) {
                addCompleter(completers, stage, new Standing(List.of(), pool, task));
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
                    followDependents((CompletableFuture<?>) root.getKey(), standing, completers, behind, budget);
                }
            }
        }
        return behind;
    }

    private void followDependents(CompletableFuture<?> root, Standing standing, Map<Object, Standing> completers,
                                  Map<Object, Standing> behind, int[] budget) {
        if (tasks.isDone(root)) {
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
            if (!(stage instanceof CompletableFuture) || tasks.isDone((CompletableFuture<?>) stage)
                    || behind.containsKey(stage) || completers.containsKey(stage)) {
                continue; // done, seen, or it has a completer of its own (then either one completes it)
            }
            dependents.clear();
            if (!readStack((CompletableFuture<?>) stage, dependents, budget)) {
                continue; // a stage that times out waits behind nothing
            }
            behind.put(stage, standing);
            todo.addAll(dependents);
        }
    }

    /**
     * Reads the completions registered on a stage: collects the stages that wait for it (AND-dependents only; not
     * when {@code dependents} is null) and returns true; returns false when the stage completes by itself
     * ({@code orTimeout}, {@code completeOnTimeout}) or when the walk's budget ran out before the whole stack was
     * read (then nothing is known).
     */
    private boolean readStack(CompletableFuture<?> stage, List<Object> dependents, int[] budget) {
        for (Object c = tasks.firstCompletion(stage); c != null; c = tasks.nextCompletion(c)) {
            if (--budget[0] < 0) {
                return false;
            }
            if (isTimeoutCanceller(c)) {
                return false;
            }
            if (dependents == null) {
                continue;
            }
            Object completion = tasks.unwrap(c);
            if (completion == null || isEither(completion)) {
                continue;
            }
            Object dependent = tasks.dependentOf(completion);
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
    private boolean completesByTimeout(CompletableFuture<?> stage) {
        return !readStack(stage, null, new int[] {MAX_COMPLETIONS});
    }

    private boolean isTimeoutCanceller(Object completion) {
        if (!completion.getClass().getName().equals("java.util.concurrent.CompletableFuture$UniWhenComplete")) {
            return false;
        }
        Object fn = tasks.functionOf(completion);
        return fn != null && fn.getClass().getName().equals("java.util.concurrent.CompletableFuture$Canceller");
    }

    private static boolean isEither(Object completion) {
        String name = completion.getClass().getName();
        return name.startsWith("java.util.concurrent.CompletableFuture$Or") || name.equals("java.util.concurrent.CompletableFuture$AnyOf");
    }
}
