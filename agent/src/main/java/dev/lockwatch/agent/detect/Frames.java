package dev.lockwatch.agent.detect;

import java.util.ArrayList;
import java.util.List;

/** Stack frames as reports show them. */
public final class Frames {
    private static final String CALL_SITES = "dev.lockwatch.bootstrap.CallSites";

    private Frames() {
    }

    /** {@code com.example.Bank.transfer(Bank.java:42)}: the form the agent uses for every site. */
    public static String site(StackTraceElement frame) {
        return new StackTraceElement(frame.getClassName(), frame.getMethodName(), frame.getFileName(),
                frame.getLineNumber()).toString();
    }

    /** The stack without the agent's own call-site frames, which stand between a caller and its lock. */
    public static List<StackTraceElement> withoutAgent(StackTraceElement[] stack) {
        List<StackTraceElement> frames = new ArrayList<>(stack.length);
        for (StackTraceElement frame : stack) {
            if (!CALL_SITES.equals(frame.getClassName())) {
                frames.add(frame);
            }
        }
        return frames;
    }
}
