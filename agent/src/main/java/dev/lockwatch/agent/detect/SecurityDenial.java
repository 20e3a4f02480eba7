package dev.lockwatch.agent.detect;

import java.security.AccessControlException;
import java.security.AllPermission;

/**
 * What an application {@code SecurityManager} (JDK 17 to 23) does to the agent. The agent's checks run on its own
 * thread, whose stack holds only the JDK and the agent's jar, so they have exactly what the policy grants that jar.
 * {@code doPrivileged} cannot raise that: it only stops the stack walk at the agent's frames, which are the ones
 * missing the permissions. So either the policy grants the jar {@code AllPermission}, and detection works, or it
 * does not, and detection is off: this class turns that into one plain sentence instead of a dead thread.
 */
public final class SecurityDenial {
    /** Where the agent jar is, found when this class is first used (the start-up line, before any SecurityManager). */
    private static final String JAR = jar();

    private SecurityDenial() {
    }

    private static String jar() {
        try {
            return "\"" + SecurityDenial.class.getProtectionDomain().getCodeSource().getLocation() + "\"";
        } catch (Throwable t) {
            return "\"file:/path/to/lockwatch-agent.jar\"";
        }
    }

    /** Null when nothing stops the agent here and now; else why detection is off (on the calling thread). */
    @SuppressWarnings("removal")
    public static String now() {
        try {
            if (System.getSecurityManager() == null) {
                return null;
            }
            java.security.AccessController.checkPermission(new AllPermission());
            return null;
        } catch (AccessControlException e) {
            return sentence(e);
        } catch (Throwable t) {
            return null; // no SecurityManager to speak of (JDK 24+ has none)
        }
    }

    /** The sentence for a check that failed with {@code t}, or null when {@code t} is not a security denial. */
    public static String of(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SecurityException) {
                return sentence((SecurityException) c);
            }
        }
        return null;
    }

    private static String sentence(SecurityException e) {
        return "detection is off: the application's SecurityManager denies Lockwatch what its checks need ("
                + e.getMessage() + "); to turn it on, grant the agent jar all permissions in the policy: grant codeBase "
                + JAR + " { permission java.security.AllPermission; };";
    }
}
