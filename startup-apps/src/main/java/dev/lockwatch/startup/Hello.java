package dev.lockwatch.startup;

/**
 * The smallest application: what a JVM with the agent loads and spends for it, against a JVM without, is the
 * agent's start-up cost alone (scripts/startup.sh). It is the only class of its jar, so that an AppCDS archive can
 * be made of it (a jar class path is required) and the classes it loads are the JDK's and the agent's.
 */
public final class Hello {

    private Hello() {
    }

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
