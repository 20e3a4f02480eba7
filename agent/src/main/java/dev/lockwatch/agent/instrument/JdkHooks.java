package dev.lockwatch.agent.instrument;

import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.ArrayList;
import java.util.List;

/**
 * Every hook Lockwatch puts into the JDK, all in {@code java.util.concurrent}, each a few bytecodes that make one
 * call into {@code dev.lockwatch.bootstrap.Registry}:
 * <ul>
 *   <li>waits: the contended acquire of {@code AbstractQueuedSynchronizer} and {@code AbstractQueuedLongSynchronizer}
 *       (every {@code ReentrantLock}, read lock, write lock and {@code Condition} re-acquire goes through it before
 *       parking; the uncontended path is not touched), and a thread about to block on a future that is not done
 *       ({@code FutureTask.awaitDone}, {@code CompletableFuture.waitingGet}/{@code timedGet}, the blocking
 *       {@code ForkJoinTask.awaitDone} behind {@code join}, {@code get}, {@code invoke} and {@code invokeAll});</li>
 *   <li>runners: which thread runs which task ({@code ForkJoinTask.doExec}, the asynchronous
 *       {@code CompletableFuture} tasks, recorded by the stage they complete, and every completion as it fires,
 *       {@code tryFire}; a {@code FutureTask}'s runner is in its own {@code runner} field);</li>
 *   <li>submissions: which pool a task was handed to ({@code ThreadPoolExecutor.execute},
 *       {@code ScheduledThreadPoolExecutor.delayedExecute}, {@code ForkJoinPool.execute}/{@code submit});</li>
 *   <li>workers: which threads work for which pool ({@code ThreadPoolExecutor.runWorker},
 *       {@code ForkJoinWorkerThread.run});</li>
 *   <li>semaphore permits: which thread took permits and released them ({@code Semaphore$Sync}'s try-acquire and
 *       try-release, which every {@code acquire}, {@code tryAcquire} and {@code release} goes through; the wait
 *       itself is the AQS acquire above), and the counts changed without either ({@code drainPermits},
 *       {@code reducePermits}); with {@code permits=on} only.</li>
 * </ul>
 * Methods are matched by exact class, name and descriptor; where the JDK's internals differ between versions
 * (the blocking {@code ForkJoinTask.awaitDone}), each known descriptor has its hook, and a JDK with another one
 * simply gets none.
 */
final class JdkHooks {
    static final String AQS = "java/util/concurrent/locks/AbstractQueuedSynchronizer";
    static final String AQLS = "java/util/concurrent/locks/AbstractQueuedLongSynchronizer";
    static final String STAGE = "java/util/concurrent/CompletableFuture";
    static final String STAGE_PREFIX = STAGE + "$";

    private JdkHooks() {
    }

    /**
     * @param permits whether the semaphore hooks are in ({@code permits=on}): they run on every acquire and release
     *                of every {@code Semaphore}, contended or not, so without them those classes are not touched
     */
    static List<JdkHook> all(boolean permits) {
        List<JdkHook> hooks = new ArrayList<>();
        // acquire(Node, int|long arg, boolean shared, boolean interruptible, boolean timed, long time): slots of
        // shared and timed differ by one because a long takes two.
        hooks.add(new WaitsForLock(AQS, "(L" + AQS + "$Node;IZZZJ)I", 3, 5));
        hooks.add(new WaitsForLock(AQLS, "(L" + AQLS + "$Node;JZZZJ)I", 4, 6));

        hooks.add(new WaitsForFuture("java/util/concurrent/FutureTask", "awaitDone", "(ZJ)I", 1));
        hooks.add(new WaitsForFuture(STAGE, "waitingGet", "(Z)Ljava/lang/Object;", -1));
        hooks.add(new WaitsForFuture(STAGE, "timedGet", "(J)Ljava/lang/Object;", -2));
        String fjt = "java/util/concurrent/ForkJoinTask";
        hooks.add(new ForkJoinWait(fjt, "(Ljava/util/concurrent/ForkJoinPool;ZZZJ)I", false, 4)); // JDK 17
        hooks.add(new ForkJoinWait(fjt, "(Ljava/util/concurrent/ForkJoinPool;IZJ)I", true, 4));   // JDK 20+
        hooks.add(new RunsTask(fjt, "doExec", "()I"));
        hooks.add(new RunsTask(fjt, "doExec", "()V"));

        hooks.add(new RunsStage(STAGE + "$AsyncSupply"));
        hooks.add(new RunsStage(STAGE + "$AsyncRun"));
        hooks.add(new RunsTask(STAGE + "$Completion", "run", "()V"));
        hooks.add(new FiresCompletion());

        String tpe = "java/util/concurrent/ThreadPoolExecutor";
        hooks.add(new Submits(tpe, "execute", "(Ljava/lang/Runnable;)V"));
        hooks.add(new Works(tpe, "runWorker", "(L" + tpe + "$Worker;)V", null));
        hooks.add(new Submits("java/util/concurrent/ScheduledThreadPoolExecutor", "delayedExecute",
                "(Ljava/util/concurrent/RunnableScheduledFuture;)V"));
        String fjp = "java/util/concurrent/ForkJoinPool";
        hooks.add(new Submits(fjp, "execute", "(Ljava/lang/Runnable;)V"));
        hooks.add(new Submits(fjp, "execute", "(Ljava/util/concurrent/ForkJoinTask;)V"));
        hooks.add(new SubmitsReturned(fjp, "submit"));
        hooks.add(new BlockingCall(fjp, "invokeAll", "java.util.concurrent.ForkJoinPool.invokeAll"));
        hooks.add(new BlockingCall(fjp, "invokeAny", "java.util.concurrent.ForkJoinPool.invokeAny"));
        String aes = "java/util/concurrent/AbstractExecutorService";
        hooks.add(new BlockingCall(aes, "invokeAll", "java.util.concurrent.AbstractExecutorService.invokeAll"));
        hooks.add(new BlockingCall(aes, "invokeAny", "java.util.concurrent.AbstractExecutorService.invokeAny"));
        hooks.add(new Works("java/util/concurrent/ForkJoinWorkerThread", "run", "()V", "pool"));
        if (!permits) {
            return hooks;
        }

        // Semaphore.tryAcquire calls nonfairTryAcquireShared itself, and NonfairSync.tryAcquireShared forwards to
        // it: hooking it and FairSync's own version sees every take once.
        String sem = "java/util/concurrent/Semaphore$";
        hooks.add(new TakesPermits(sem + "Sync", "nonfairTryAcquireShared"));
        hooks.add(new TakesPermits(sem + "FairSync", "tryAcquireShared"));
        hooks.add(new ReleasesPermits(sem + "Sync"));
        hooks.add(new ChangesPermits(sem + "Sync", "drainPermits", "()I"));
        hooks.add(new ChangesPermits(sem + "Sync", "reducePermits", "(I)V"));
        return hooks;
    }

    /** The contended acquire: the wait is recorded before the thread may park and cleared when it returns. */
    static final class WaitsForLock extends JdkHook {
        private final int sharedSlot;
        private final int timedSlot;

        WaitsForLock(String owner, String descriptor, int sharedSlot, int timedSlot) {
            super(owner, "acquire", descriptor);
            this.sharedSlot = sharedSlot;
            this.timedSlot = timedSlot;
        }

        @Override
        void enter(MethodVisitor mv) {
            self(mv);
            mv.visitVarInsn(Opcodes.ILOAD, sharedSlot);
            mv.visitVarInsn(Opcodes.ILOAD, timedSlot);
            call(mv, "waitBegin", "(Ljava/lang/Object;ZZ)V");
        }

        @Override
        boolean hasExit() {
            return true;
        }

        @Override
        void exit(MethodVisitor mv, boolean normal) {
            call(mv, "waitEnd", "()V");
        }
    }

    /**
     * A blocking wait for a future that is not done (these methods are only called then). {@code timed}: the slot
     * of a boolean parameter, or -1 for untimed, -2 for timed.
     */
    static final class WaitsForFuture extends JdkHook {
        private final int timed;

        WaitsForFuture(String owner, String method, String descriptor, int timed) {
            super(owner, method, descriptor);
            this.timed = timed;
        }

        @Override
        void enter(MethodVisitor mv) {
            self(mv);
            if (timed >= 0) {
                mv.visitVarInsn(Opcodes.ILOAD, timed);
            } else {
                mv.visitInsn(timed == -2 ? Opcodes.ICONST_1 : Opcodes.ICONST_0);
            }
            call(mv, "handoffBegin", "(Ljava/lang/Object;Z)V");
        }

        @Override
        boolean hasExit() {
            return true;
        }

        @Override
        void exit(MethodVisitor mv, boolean normal) {
            self(mv);
            call(mv, "handoffEnd", "(Ljava/lang/Object;)V");
        }
    }

    /**
     * {@code ForkJoinTask.awaitDone}: JDK 17's {@code (pool, ran, interruptible, timed, nanos)} helps other tasks
     * inside the wait (the record tells helping apart); from JDK 20 {@code (pool, compensation, interruptible,
     * deadline)} only blocks, after the helping is done. A negative {@code status} means the task is done.
     */
    static final class ForkJoinWait extends JdkHook {
        private final boolean deadline;
        private final int slot;

        ForkJoinWait(String owner, String descriptor, boolean deadline, int slot) {
            super(owner, "awaitDone", descriptor);
            this.deadline = deadline;
            this.slot = slot;
        }

        @Override
        void enter(MethodVisitor mv) {
            self(mv);
            self(mv);
            mv.visitFieldInsn(Opcodes.GETFIELD, owner, "status", "I");
            if (deadline) {
                mv.visitVarInsn(Opcodes.LLOAD, slot);
                call(mv, "forkJoinWaitUntil", "(Ljava/lang/Object;IJ)V");
            } else {
                mv.visitVarInsn(Opcodes.ILOAD, slot);
                call(mv, "forkJoinWait", "(Ljava/lang/Object;IZ)V");
            }
        }

        @Override
        boolean hasExit() {
            return true;
        }

        @Override
        void exit(MethodVisitor mv, boolean normal) {
            self(mv);
            call(mv, "handoffEnd", "(Ljava/lang/Object;)V");
        }
    }

    /** A task (or a completion) runs on this thread for the duration of the method. */
    static class RunsTask extends JdkHook {
        RunsTask(String owner, String method, String descriptor) {
            super(owner, method, descriptor);
        }

        @Override
        void enter(MethodVisitor mv) {
            self(mv);
            call(mv, "taskStarted", "(Ljava/lang/Object;)V");
        }

        @Override
        boolean hasExit() {
            return true;
        }

        @Override
        void exit(MethodVisitor mv, boolean normal) {
            call(mv, "taskEnded", "()V");
        }
    }

    /**
     * A completion fired in the thread that completed its source (a {@code thenApply} after a {@code supplyAsync}:
     * the pool thread runs the function, and so completes the dependent stage). Every internal class of
     * {@code CompletableFuture} with a {@code tryFire(int)}, except the waiter's {@code Signaller} and
     * {@code CoCompletion}, which only forwards to its base.
     */
    static final class FiresCompletion extends RunsTask {
        FiresCompletion() {
            super(null, "tryFire", "(I)L" + STAGE + ";");
        }

        @Override
        boolean matches(String className, String name, String desc) {
            return className.startsWith(STAGE_PREFIX) && !className.equals(STAGE_PREFIX + "Signaller")
                    && !className.equals(STAGE_PREFIX + "CoCompletion") && method.equals(name) && descriptor.equals(desc);
        }
    }

    /** {@code AsyncSupply.run}/{@code AsyncRun.run}: recorded by the stage they complete, read on entry ({@code run} clears it). */
    static final class RunsStage extends RunsTask {
        RunsStage(String owner) {
            super(owner, "run", "()V");
        }

        @Override
        void enter(MethodVisitor mv) {
            self(mv);
            mv.visitFieldInsn(Opcodes.GETFIELD, owner, "dep", "L" + STAGE + ";");
            call(mv, "taskStarted", "(Ljava/lang/Object;)V");
        }
    }

    /** A task handed to a pool: the first argument. */
    static final class Submits extends JdkHook {
        Submits(String owner, String method, String descriptor) {
            super(owner, method, descriptor);
        }

        @Override
        void enter(MethodVisitor mv) {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            self(mv);
            call(mv, "submitted", "(Ljava/lang/Object;Ljava/lang/Object;)V");
        }
    }

    /** {@code ForkJoinPool.submit}: the task the caller gets back is the one it will wait for. */
    static final class SubmitsReturned extends JdkHook {
        SubmitsReturned(String owner, String method) {
            super(owner, method, null);
        }

        @Override
        boolean matches(String className, String name, String desc) {
            return super.matches(className, name, desc) && desc.endsWith(")Ljava/util/concurrent/ForkJoinTask;");
        }

        @Override
        void enter(MethodVisitor mv) {
        }

        @Override
        boolean hasExit() {
            return true;
        }

        @Override
        void exit(MethodVisitor mv, boolean normal) {
            if (normal) {
                mv.visitInsn(Opcodes.DUP);
                self(mv);
                call(mv, "submitted", "(Ljava/lang/Object;Ljava/lang/Object;)V");
            }
        }
    }

    /** {@code invokeAll}/{@code invokeAny}: they block; only the HELD_WHILE_BLOCKING check applies. */
    static final class BlockingCall extends JdkHook {
        private final String label;

        BlockingCall(String owner, String method, String label) {
            super(owner, method, null);
            this.label = label;
        }

        @Override
        void enter(MethodVisitor mv) {
            mv.visitLdcInsn(label);
            call(mv, "blockingCall", "(Ljava/lang/String;)V");
        }
    }

    /** A pool's worker loop: this thread works for the pool ({@code this}, or its {@code field}) until it returns. */
    static final class Works extends JdkHook {
        private final String field;

        Works(String owner, String method, String descriptor, String field) {
            super(owner, method, descriptor);
            this.field = field;
        }

        @Override
        void enter(MethodVisitor mv) {
            self(mv);
            if (field != null) {
                mv.visitFieldInsn(Opcodes.GETFIELD, owner, field, "Ljava/util/concurrent/ForkJoinPool;");
            }
            call(mv, "workerStarted", "(Ljava/lang/Object;)V");
        }

        @Override
        boolean hasExit() {
            return true;
        }

        @Override
        void exit(MethodVisitor mv, boolean normal) {
            call(mv, "workerEnded", "()V");
        }
    }

    /**
     * A semaphore's try-acquire of {@code acquires} permits (its only parameter, never stored to): noted as begun on
     * entry, and its result (the permits left, negative when it failed) on a normal return.
     */
    static final class TakesPermits extends JdkHook {
        TakesPermits(String owner, String method) {
            super(owner, method, "(I)I");
        }

        @Override
        void enter(MethodVisitor mv) {
            self(mv);
            call(mv, "permitTaking", "(Ljava/lang/Object;)V");
        }

        @Override
        boolean hasExit() {
            return true;
        }

        @Override
        void exit(MethodVisitor mv, boolean normal) {
            if (normal) {
                mv.visitInsn(Opcodes.DUP);
                self(mv);
                mv.visitVarInsn(Opcodes.ILOAD, 1);
                call(mv, "permitsTried", "(ILjava/lang/Object;I)V");
            } else {
                mv.visitInsn(Opcodes.ACONST_NULL);
                call(mv, "permitTaking", "(Ljava/lang/Object;)V");
            }
        }
    }

    /**
     * {@code tryReleaseShared(releases)}: noted when it returns (it always returns true), after the state holds the
     * permits again, so a watchdog that reads the state first never misses a holder that has not released yet.
     */
    static final class ReleasesPermits extends JdkHook {
        ReleasesPermits(String owner) {
            super(owner, "tryReleaseShared", "(I)Z");
        }

        @Override
        void enter(MethodVisitor mv) {
        }

        @Override
        boolean hasExit() {
            return true;
        }

        @Override
        void exit(MethodVisitor mv, boolean normal) {
            if (normal) {
                self(mv);
                mv.visitVarInsn(Opcodes.ILOAD, 1);
                call(mv, "permitsReleased", "(Ljava/lang/Object;I)V");
            }
        }
    }

    /** {@code drainPermits}/{@code reducePermits}: permits go without an acquire; the semaphore becomes uncertain. */
    static final class ChangesPermits extends JdkHook {
        ChangesPermits(String owner, String method, String descriptor) {
            super(owner, method, descriptor);
        }

        @Override
        void enter(MethodVisitor mv) {
            self(mv);
            call(mv, "permitsChanged", "(Ljava/lang/Object;)V");
        }
    }
}
