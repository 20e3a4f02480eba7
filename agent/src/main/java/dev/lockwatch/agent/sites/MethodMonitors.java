package dev.lockwatch.agent.sites;

import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The monitors one method's frame holds before each of its instructions, and the line each instruction reports.
 *
 * <p>Found by abstract interpretation of the frame's monitor stack along the control flow, exceptional edges
 * included: {@code monitorenter} pushes itself, {@code monitorexit} pops, every other instruction passes the stack
 * on. Which object a {@code monitorexit} releases is not tracked: javac's locking is structured (the JVM spec's
 * structured locking rules, 2.11.10), so it releases the innermost. A join whose incoming stacks differ, or a
 * {@code monitorexit} with nothing held, makes the stack {@link #CONFLICT} from there on, and every question about
 * such an instruction is answered "unknown".
 *
 * <p>An exception thrown by instruction {@code i} reaches the handlers whose ranges cover {@code i} with the stack
 * as it was before {@code i}, in exception-table order, and no handler after the first catch-all: javac lists the
 * catch-all of an inner {@code synchronized} before the handlers of an enclosing {@code try}, and those later
 * handlers are reached only after that catch-all has released the monitor and rethrown, holding what the code
 * around the block holds.
 *
 * <p>Lines follow HotSpot's {@code Method::line_number_from_bci}, which is what stack traces report: the first
 * table entry that starts exactly at the instruction, else the last entry of the nearest start before it. ASM
 * hands the entries of one offset over in table order, which is all the rule needs.
 */
final class MethodMonitors {
    /** A candidate line that cannot be known; also the answer when candidates disagree. */
    static final int UNKNOWN = -1;
    /** No instruction of the method could be where the frame is: the method is not the frame's. */
    static final int NO_CANDIDATE = Integer.MIN_VALUE;

    private static final Held EMPTY = new Held(-1, UNKNOWN, null);
    private static final Held CONFLICT = new Held(-1, UNKNOWN, null);

    private final boolean synchronizedMethod;
    private final int firstLine;
    /** Per instruction: the line a stack trace shows for it, or {@link #UNKNOWN}. */
    private final int[] lines;
    /** Per instruction: the monitors held before it runs; null where it is unreachable. */
    private final Held[] held;
    /** Per instruction: whether it is a {@code monitorenter}. */
    private final boolean[] enters;

    private MethodMonitors(boolean synchronizedMethod, int firstLine, int[] lines, Held[] held, boolean[] enters) {
        this.synchronizedMethod = synchronizedMethod;
        this.firstLine = firstLine;
        this.lines = lines;
        this.held = held;
        this.enters = enters;
    }

    /**
     * The line of the {@code synchronized} that took the {@code k}-th monitor (0 innermost) of a frame of this
     * method at {@code line}; for a synchronized method's own monitor, the method's first line.
     *
     * <p>The places the frame can be are the instructions of that line, holding what is held before them; or, for
     * a frame blocked entering a monitor ({@code entering}), the {@code monitorenter}s that a stack trace shows at
     * that line, holding what is held before them. A compiled frame blocked there reports the {@code monitorenter}
     * itself, an interpreted one the instruction after it (HotSpot's interpreter advances the bytecode pointer
     * before it locks), so both lines count.
     *
     * @param heldByFrame how many monitors the frame holds, or 0 if not known; places where the frame would hold
     *                    another number are not candidates
     * @return the line; {@link #UNKNOWN} when places disagree or one of them has no known stack; {@link
     *         #NO_CANDIDATE} when no place on that line can hold {@code k + 1} monitors ({@code heldByFrame}, if
     *         given)
     */
    int acquiredAt(int line, int k, int heldByFrame, boolean entering) {
        int answer = NO_CANDIDATE;
        for (int i = 0; i < lines.length; i++) {
            boolean place = entering
                    ? enters[i] && (lines[i] == line || (i + 1 < lines.length && lines[i + 1] == line))
                    : lines[i] == line;
            Held h = held[i];
            if (!place || h == null) {
                continue;
            }
            if (h == CONFLICT) {
                return UNKNOWN;
            }
            int total = synchronizedMethod ? h.depth + 1 : h.depth;
            if (k >= total || (heldByFrame > 0 && total != heldByFrame)) {
                continue;
            }
            answer = agree(answer, k < h.depth ? h.outer(k).line : firstLine);
            if (answer == UNKNOWN) {
                return UNKNOWN;
            }
        }
        return answer;
    }

    /** The one answer two candidates give: {@link #UNKNOWN} unless they are the same line. */
    static int agree(int a, int b) {
        if (a == NO_CANDIDATE) {
            return b;
        }
        if (b == NO_CANDIDATE) {
            return a;
        }
        return a == b ? a : UNKNOWN;
    }

    /** One entry of a frame's monitor stack: the {@code monitorenter} that pushed it, and what it sits on. */
    private static final class Held {
        final int enter;
        final int line;
        final Held outer;
        final int depth;

        Held(int enter, int line, Held outer) {
            this.enter = enter;
            this.line = line;
            this.outer = outer;
            this.depth = outer == null ? 0 : outer.depth + 1;
        }

        /** The entry {@code k} places below this one (0: this). */
        Held outer(int k) {
            Held h = this;
            for (int i = 0; i < k; i++) {
                h = h.outer;
            }
            return h;
        }

        /** The same stack: pushed by the same instructions, in the same order. */
        boolean sameAs(Held other) {
            Held a = this;
            Held b = other;
            while (a != b) {
                if (a == null || b == null || a.enter != b.enter || a == CONFLICT || b == CONFLICT) {
                    return false;
                }
                a = a.outer;
                b = b.outer;
            }
            return true;
        }
    }

    /**
     * Collects one method's instructions, branch targets, exception table and line table, and at
     * {@link #visitEnd()} hands the analysed method to {@code sink}; methods that are not synchronized and have no
     * {@code monitorenter} are dropped there, as no frame of theirs holds a monitor.
     */
    static final class Recorder extends MethodVisitor {
        interface Sink {
            void accept(MethodMonitors method);
        }

        private static final Label[] NO_TARGETS = new Label[0];

        private final boolean synchronizedMethod;
        private final Sink sink;
        private int[] opcodes = new int[64];
        private int count;
        private final Map<Integer, Label[]> targets = new HashMap<>();
        private final Map<Label, Integer> labelIndex = new HashMap<>();
        private final List<Label> lineStarts = new ArrayList<>();
        private final List<Integer> lineNumbers = new ArrayList<>();
        private final List<Handler> handlers = new ArrayList<>();
        private boolean entersMonitors;
        /** jsr/ret (class files before Java 6): subroutines are not followed, so stacks are not known. */
        private boolean subroutines;

        Recorder(boolean synchronizedMethod, Sink sink) {
            super(Opcodes.ASM9);
            this.synchronizedMethod = synchronizedMethod;
            this.sink = sink;
        }

        private void add(int opcode) {
            if (count == opcodes.length) {
                opcodes = Arrays.copyOf(opcodes, count * 2);
            }
            opcodes[count++] = opcode;
        }

        @Override
        public void visitLabel(Label label) {
            labelIndex.put(label, count);
        }

        @Override
        public void visitLineNumber(int line, Label start) {
            lineStarts.add(start);
            lineNumbers.add(line);
        }

        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            handlers.add(new Handler(start, end, handler, type));
        }

        @Override
        public void visitInsn(int opcode) {
            entersMonitors |= opcode == Opcodes.MONITORENTER;
            add(opcode);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            add(opcode);
        }

        @Override
        public void visitVarInsn(int opcode, int varIndex) {
            subroutines |= opcode == Opcodes.RET;
            add(opcode);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            add(opcode);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            add(opcode);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            add(opcode);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, net.bytebuddy.jar.asm.Handle bootstrap,
                                           Object... arguments) {
            add(Opcodes.INVOKEDYNAMIC);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            subroutines |= opcode == Opcodes.JSR;
            targets.put(count, new Label[] {label});
            add(opcode);
        }

        @Override
        public void visitLdcInsn(Object value) {
            add(Opcodes.LDC);
        }

        @Override
        public void visitIincInsn(int varIndex, int increment) {
            add(Opcodes.IINC);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            switchTargets(dflt, labels);
            add(Opcodes.TABLESWITCH);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            switchTargets(dflt, labels);
            add(Opcodes.LOOKUPSWITCH);
        }

        private void switchTargets(Label dflt, Label[] labels) {
            Label[] all = Arrays.copyOf(labels, labels.length + 1);
            all[labels.length] = dflt;
            targets.put(count, all);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            add(Opcodes.MULTIANEWARRAY);
        }

        @Override
        public void visitEnd() {
            if (count == 0 || !(synchronizedMethod || entersMonitors)) {
                return;
            }
            int[] lines = lines();
            int firstLine = UNKNOWN;
            for (int line : lineNumbers) {
                firstLine = firstLine == UNKNOWN ? line : Math.min(firstLine, line);
            }
            boolean[] enters = new boolean[count];
            for (int i = 0; i < count; i++) {
                enters[i] = opcodes[i] == Opcodes.MONITORENTER;
            }
            sink.accept(new MethodMonitors(synchronizedMethod, firstLine, lines, held(lines), enters));
        }

        /** Per instruction, the line HotSpot reports for it (see the class comment). */
        private int[] lines() {
            int[] firstAt = new int[count];
            int[] lastAt = new int[count];
            Arrays.fill(firstAt, UNKNOWN);
            for (int e = 0; e < lineStarts.size(); e++) {
                Integer at = labelIndex.get(lineStarts.get(e));
                if (at == null || at >= count) {
                    continue;
                }
                if (firstAt[at] == UNKNOWN) {
                    firstAt[at] = lineNumbers.get(e);
                }
                lastAt[at] = lineNumbers.get(e);
            }
            int[] lines = new int[count];
            int current = UNKNOWN;
            for (int i = 0; i < count; i++) {
                if (firstAt[i] != UNKNOWN) {
                    lines[i] = firstAt[i];
                    current = lastAt[i];
                } else {
                    lines[i] = current;
                }
            }
            return lines;
        }

        /** Per instruction, the monitors held before it runs (see the class comment). */
        private Held[] held(int[] lines) {
            Held[] in = new Held[count];
            if (!entersMonitors) { // nothing is ever pushed: every instruction, reachable or not, holds none
                Arrays.fill(in, EMPTY);
                return in;
            }
            if (subroutines) {
                Arrays.fill(in, CONFLICT);
                return in;
            }
            int[][] ranges = new int[handlers.size()][];
            for (int h = 0; h < ranges.length; h++) {
                Handler handler = handlers.get(h);
                Integer start = labelIndex.get(handler.start);
                Integer end = labelIndex.get(handler.end);
                Integer target = labelIndex.get(handler.handler);
                if (start == null || end == null || target == null || target >= count) {
                    Arrays.fill(in, CONFLICT);
                    return in;
                }
                ranges[h] = new int[] {start, end, target};
            }
            int[] work = new int[count];
            int pending = 0;
            in[0] = EMPTY;
            work[pending++] = 0;
            boolean[] queued = new boolean[count];
            queued[0] = true;
            while (pending > 0) {
                int i = work[--pending];
                queued[i] = false;
                Held before = in[i];
                for (int h = 0; h < ranges.length; h++) {
                    int[] range = ranges[h];
                    if (range[0] <= i && i < range[1]) {
                        pending = flow(in, work, pending, queued, range[2], before);
                        if (handlers.get(h).catchesAll()) {
                            break;
                        }
                    }
                }
                int opcode = opcodes[i];
                Held after;
                if (before == CONFLICT) {
                    after = CONFLICT;
                } else if (opcode == Opcodes.MONITORENTER) {
                    after = new Held(i, lines[i], before);
                } else if (opcode == Opcodes.MONITOREXIT) {
                    after = before.depth == 0 ? CONFLICT : before.outer;
                } else {
                    after = before;
                }
                Label[] to = targets.getOrDefault(i, NO_TARGETS);
                for (Label label : to) {
                    Integer target = labelIndex.get(label);
                    pending = flow(in, work, pending, queued, target == null ? count : target, after);
                }
                if (fallsThrough(opcode) && i + 1 < count) {
                    pending = flow(in, work, pending, queued, i + 1, after);
                }
            }
            return in;
        }

        /** Merges {@code incoming} into instruction {@code to}'s stack, queueing it if that changed. */
        private int flow(Held[] in, int[] work, int pending, boolean[] queued, int to, Held incoming) {
            if (to >= count) { // a branch out of the code: the class would not verify
                Arrays.fill(in, CONFLICT);
                return 0;
            }
            Held existing = in[to];
            Held merged;
            if (existing == null) {
                merged = incoming;
            } else if (existing == CONFLICT || existing.sameAs(incoming)) {
                merged = existing;
            } else {
                merged = CONFLICT;
            }
            if (merged != existing) {
                in[to] = merged;
                if (!queued[to]) {
                    queued[to] = true;
                    work[pending++] = to;
                }
            }
            return pending;
        }

        private static boolean fallsThrough(int opcode) {
            switch (opcode) {
                case Opcodes.GOTO:
                case Opcodes.TABLESWITCH:
                case Opcodes.LOOKUPSWITCH:
                case Opcodes.IRETURN:
                case Opcodes.LRETURN:
                case Opcodes.FRETURN:
                case Opcodes.DRETURN:
                case Opcodes.ARETURN:
                case Opcodes.RETURN:
                case Opcodes.ATHROW:
                    return false;
                default:
                    return true;
            }
        }
    }

    private static final class Handler {
        final Label start;
        final Label end;
        final Label handler;
        final String type;

        Handler(Label start, Label end, Label handler, String type) {
            this.start = start;
            this.end = end;
            this.handler = handler;
            this.type = type;
        }

        /** No exception gets past it to a later entry of the table. */
        boolean catchesAll() {
            return type == null || type.equals("java/lang/Throwable");
        }
    }
}
