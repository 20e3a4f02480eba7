package dev.lockwatch.agent.sites;

import dev.lockwatch.agent.report.Frames;

import java.lang.instrument.Instrumentation;
import java.util.Map;

/**
 * Where a {@code synchronized} monitor was entered. The JVM says which frame holds a monitor, and the line that
 * frame is at now (often an inner {@code synchronized} further down); the line of the statement that entered the
 * monitor is read from the class file at report time ({@link MonitorLines}), never on the fast path. The class of
 * a frame is found among the loaded classes ({@link Instrumentation#getAllLoadedClasses}), by name and loader
 * name, and its bytes are read without calling any class loader ({@link ClassBytes}). Where the class file
 * cannot say (no class file to read, a line that several blocks share), the frame's current line is given.
 *
 * <p>Watchdog thread only.
 */
public class MonitorSites {
    private final Instrumentation inst;
    private final LoadedClasses classes;
    private final ClassBytes bytes = new ClassBytes(256);
    private final Map<Class<?>, MonitorLines> lines = new java.util.WeakHashMap<>();

    /** Without instrumentation (tests, benchmarks): every site is the frame's current line. */
    public MonitorSites() {
        this(null);
    }

    public MonitorSites(Instrumentation inst) {
        this.inst = inst;
        this.classes = new LoadedClasses(inst);
    }

    /** The bytes of class files read for reports, cached for a few classes (shared with the other readers). */
    public ClassBytes bytes() {
        return bytes;
    }

    /**
     * The site of the {@code inner}-th most recently entered monitor of {@code frame} (0: the one it entered last),
     * which holds {@code heldByFrame} monitors: {@code Class.method(File.java:line)} with the line of its
     * {@code synchronized}. {@code entering}: the frame is the top frame of a thread BLOCKED entering another
     * monitor, for which HotSpot reports the line after that monitorenter.
     */
    public String site(StackTraceElement frame, int inner, int heldByFrame, boolean entering) {
        int line = lineOf(frame, inner, heldByFrame, entering);
        if (line <= 0) {
            return Frames.site(frame);
        }
        return new StackTraceElement(frame.getClassName(), frame.getMethodName(), frame.getFileName(), line).toString();
    }

    private int lineOf(StackTraceElement frame, int inner, int heldByFrame, boolean entering) {
        if (inst == null || frame.getLineNumber() <= 0) {
            return MonitorLines.UNKNOWN;
        }
        try {
            Class<?> c = classes.classOf(frame);
            if (c == null) {
                return MonitorLines.UNKNOWN;
            }
            MonitorLines m = lines.get(c);
            if (m == null) {
                m = MonitorLines.of(bytes.of(c));
                lines.put(c, m);
            }
            return entering ? m.acquiredAtWhileEntering(frame.getMethodName(), frame.getLineNumber(), inner, heldByFrame)
                    : m.acquiredAt(frame.getMethodName(), frame.getLineNumber(), inner, heldByFrame);
        } catch (Throwable t) {
            return MonitorLines.UNKNOWN;
        }
    }

    /** Drops the index of loaded classes, so that classes can be unloaded; the watchdog calls it after a report. */
    public void forget() {
        classes.forget();
    }

    /** The loaded-class lookup this instance uses (the watchdog's other readers of class files share it). */
    public LoadedClasses classes() {
        return classes;
    }
}
