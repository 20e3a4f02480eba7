package dev.lockwatch.agent.sites;

import dev.lockwatch.agent.report.Frames;

/**
 * Where a {@code synchronized} monitor was entered. The JVM says which frame holds a monitor, and the line that
 * frame is at now (often an inner {@code synchronized} further down); the line of the statement that entered the
 * monitor is found in the class file at report time, never on the fast path.
 */
public class MonitorSites {
    /**
     * The site of the {@code inner}-th most recently entered monitor of {@code frame} (0: the one it entered last):
     * {@code Class.method(File.java:line)} with the line of its {@code synchronized}, or, where the class file cannot
     * say, the frame's current line.
     */
    public String site(StackTraceElement frame, int inner) {
        return Frames.site(frame);
    }
}
