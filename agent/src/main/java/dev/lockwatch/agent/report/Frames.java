package dev.lockwatch.agent.report;

import java.util.ArrayList;
import java.util.List;

/** Stack frames as reports show them, and which of them are the JDK's or the agent's own. */
public final class Frames {
    private static final String CALL_SITES = "dev.lockwatch.bootstrap.CallSites";
    private static final String BOOTSTRAP = "dev.lockwatch.bootstrap.";
    private static final String[] JDK_PREFIXES = {"java.", "javax.", "jdk.", "sun.", "com.sun.", BOOTSTRAP};

    private Frames() {
    }

    /** {@code com.example.Bank.transfer(Bank.java:42)}: the form the agent uses for every site. */
    public static String site(StackTraceElement frame) {
        return new StackTraceElement(frame.getClassName(), frame.getMethodName(), frame.getFileName(),
                frame.getLineNumber()).toString();
    }

    /** A class of the JDK (or the agent's bootstrap helpers): not where the application waits. */
    public static boolean jdk(String className) {
        for (String prefix : JDK_PREFIXES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The stack without the agent's own frames: the call-site helpers that stand between a caller and its lock,
     * and, on top of a stack the agent took itself, its own frames and {@code Thread.getStackTrace}.
     */
    public static List<StackTraceElement> withoutAgent(StackTraceElement[] stack) {
        List<StackTraceElement> frames = new ArrayList<>(stack.length);
        boolean top = true;
        for (StackTraceElement frame : stack) {
            String c = frame.getClassName();
            boolean agentOnTop = top && (c.startsWith(BOOTSTRAP) || c.startsWith("dev.lockwatch.agent.")
                    || (c.equals("java.lang.Thread") && frame.getMethodName().equals("getStackTrace")));
            top = agentOnTop;
            if (!agentOnTop && !CALL_SITES.equals(c)) {
                frames.add(frame);
            }
        }
        return frames;
    }
}
