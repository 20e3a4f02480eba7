package dev.lockwatch.agent.sites;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a frame took the monitors it holds, from the class file of its method: the line of the {@code synchronized}
 * statement (its {@code monitorenter}) that took each one.
 *
 * <p>{@code MonitorInfo.getLockedStackFrame()} gives the line the holding frame is at now (often the inner
 * {@code synchronized} it is blocked on), not where it took the monitor; and a stack trace has no bytecode index or
 * descriptor to look the instruction up. So this class answers from what the trace does have: the method's name and
 * current line, and which of the frame's monitors is meant ({@code k}, innermost first, as
 * {@code ThreadInfo.getLockedMonitors()} lists those of one stack depth). Every instruction of the method on that
 * line is a place the frame could be; each tells, from {@link MethodMonitors}' analysis, which {@code monitorenter}
 * pushed the k-th monitor held there. All methods of that name take part (a trace does not tell overloads apart).
 * The answer is the line they agree on, or {@link #UNKNOWN}. The top frame of a thread blocked entering a monitor
 * stands elsewhere, and has {@link #acquiredAtWhileEntering} of its own.
 *
 * <p>A synchronized method's own monitor is the outermost of its frame (HotSpot locks it on entry, before any
 * block); asked for it, the answer is the method's first line, the smallest of its line table.
 *
 * <p>Immutable, and safe to share between threads. Nothing here loads or runs the class.
 */
public final class MonitorLines {
    /** The answer when the line cannot be told: unknown class, method or line, or candidates that disagree. */
    public static final int UNKNOWN = -1;

    private static final MonitorLines NONE = new MonitorLines(Map.of());

    /** Only methods that can hold a monitor: synchronized ones and those with a {@code monitorenter}. */
    private final Map<String, List<MethodMonitors>> methods;

    private MonitorLines(Map<String, List<MethodMonitors>> methods) {
        this.methods = methods;
    }

    /**
     * Reads a class file. Never throws: null or unreadable bytes give an instance that answers {@link #UNKNOWN}.
     */
    public static MonitorLines of(byte[] classFile) {
        if (classFile == null) {
            return NONE;
        }
        try {
            // Byte Buddy's reader also opens class files newer than its ASM knows (the code, exception table and
            // line table read here have not changed in decades). It does so by patching the version bytes for a
            // moment, so it gets a copy: the caller's array may be shared (ClassBytes' cache).
            ClassReader reader = new ClassReader(classFile.clone());
            Map<String, List<MethodMonitors>> methods = new HashMap<>();
            reader.accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                        return null;
                    }
                    boolean synchronizedMethod = (access & Opcodes.ACC_SYNCHRONIZED) != 0;
                    return new MethodMonitors.Recorder(synchronizedMethod,
                            m -> methods.computeIfAbsent(name, n -> new ArrayList<>(1)).add(m));
                }
            }, ClassReader.SKIP_FRAMES);
            return methods.isEmpty() ? NONE : new MonitorLines(methods);
        } catch (RuntimeException e) { // malformed or truncated class file
            return NONE;
        }
    }

    /**
     * The line of the {@code synchronized} statement that took the {@code k}-th monitor (0 = innermost) held by a
     * frame of method {@code method} at line {@code currentLine}; for a synchronized method's own monitor (k equal
     * to the number of blocks around that line), the method's first line.
     *
     * <p>For every frame except the top one of a thread BLOCKED entering a monitor: use
     * {@link #acquiredAtWhileEntering} for that one. Prefer {@link #acquiredAt(String, int, int, int)} when the
     * frame's monitor count is known: it tells apart places of one line that sit in different blocks.
     *
     * @return the line, or {@link #UNKNOWN}: no such method or line, no place on that line where the frame can hold
     *         {@code k + 1} monitors, places or overloads that disagree, or a method whose monitors cannot be
     *         followed
     */
    public int acquiredAt(String method, int currentLine, int k) {
        return answer(method, currentLine, k, 0, false);
    }

    /**
     * As {@link #acquiredAt(String, int, int)}, for a frame known to hold {@code heldByFrame} monitors (the
     * {@code MonitorInfo}s of its stack depth): only places on the line where the method holds exactly that many
     * are candidates. A {@code synchronized (a) { x(); synchronized (b) { y(); } }} on one line is then answered
     * for either call.
     *
     * <p>HotSpot leaves out of a frame's list the monitor the thread waits on in {@code Object.wait()} (and the one
     * it is blocked re-entering after the wait); such a frame's count matches no place and the answer is
     * {@link #UNKNOWN}, where the three-argument form would shift every {@code k} by one.
     *
     * @param heldByFrame the frame's monitor count, greater than {@code k}; 0 or less when not known
     */
    public int acquiredAt(String method, int currentLine, int k, int heldByFrame) {
        return answer(method, currentLine, k, heldByFrame, false);
    }

    /**
     * As {@link #acquiredAt(String, int, int, int)}, for the top frame of a thread BLOCKED entering a
     * {@code synchronized} block (the monitor it waits for is not among those it holds, nor in its count).
     *
     * <p>Such a frame does not stand where {@link #acquiredAt} looks. A compiled frame shows the line of the
     * {@code monitorenter}, but an interpreted one shows the line of the instruction after it (HotSpot's
     * interpreter advances the bytecode pointer before it locks), which is the first line of the block's body, a
     * place that already holds the monitor being entered. So the places here are the {@code monitorenter}s shown
     * at that line either way, with what is held before each.
     */
    public int acquiredAtWhileEntering(String method, int currentLine, int k, int heldByFrame) {
        return answer(method, currentLine, k, heldByFrame, true);
    }

    private int answer(String method, int currentLine, int k, int heldByFrame, boolean entering) {
        if (method == null || currentLine <= 0 || k < 0 || (heldByFrame > 0 && k >= heldByFrame)) {
            return UNKNOWN;
        }
        List<MethodMonitors> overloads = methods.get(method);
        if (overloads == null) {
            return UNKNOWN;
        }
        int answer = MethodMonitors.NO_CANDIDATE;
        for (MethodMonitors m : overloads) {
            answer = MethodMonitors.agree(answer, m.acquiredAt(currentLine, k, heldByFrame, entering));
            if (answer == UNKNOWN) {
                return UNKNOWN;
            }
        }
        return answer == MethodMonitors.NO_CANDIDATE ? UNKNOWN : answer;
    }
}
