package dev.lockwatch.agent.cli;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the command line and a running agent talk, through the attach API only (no JMX connector, no socket of the
 * agent's own): the command loads the agent jar into the JVM with its request among the agent arguments
 * ({@code @status}, and {@code @reply=<nonce>}), the agent answers in the system property
 * {@code dev.lockwatch.reply.<nonce>}, and the command reads the JVM's system properties through the same attach
 * connection. Answers are removed from the JVM's properties once they are ten seconds old.
 */
public final class Protocol {
    /** Set in the host JVM once Lockwatch runs there, so that {@code attach} and {@code status} can tell before they load it. */
    public static final String RUNNING_PROPERTY = "dev.lockwatch.running";
    static final String REPLY_PROPERTY = "dev.lockwatch.reply.";
    static final String STATUS = "@status";
    static final String REPLY = "@reply=";
    private static final long KEEP_NANOS = 10_000_000_000L;
    private static final Map<String, Long> REPLIES = new ConcurrentHashMap<>();

    private Protocol() {
    }

    /** The agent arguments without the protocol's items: what the options parser reads. */
    public static String withoutReply(String agentArgs) {
        if (agentArgs == null || agentArgs.indexOf('@') < 0) {
            return agentArgs;
        }
        StringBuilder sb = new StringBuilder();
        for (String item : agentArgs.split(",")) {
            if (!item.trim().startsWith("@")) {
                sb.append(sb.length() == 0 ? "" : ",").append(item);
            }
        }
        return sb.toString();
    }

    public static boolean isStatus(String agentArgs) {
        return agentArgs != null && (agentArgs.equals(STATUS) || agentArgs.startsWith(STATUS + ",")
                || agentArgs.contains("," + STATUS));
    }

    /** Answers the command that loaded the agent with these arguments, if it asked for an answer. */
    public static void reply(String agentArgs, String text) {
        if (agentArgs == null) {
            return;
        }
        for (String item : agentArgs.split(",")) {
            String i = item.trim();
            if (i.startsWith(REPLY) && i.length() > REPLY.length()) {
                String key = REPLY_PROPERTY + i.substring(REPLY.length());
                System.setProperty(key, text);
                REPLIES.put(key, System.nanoTime());
            }
        }
    }

    /** Removes answers that their command had ten seconds to read. */
    public static void clearReplies() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<String, Long>> it = REPLIES.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            if (now - e.getValue() > KEEP_NANOS) {
                System.clearProperty(e.getKey());
                it.remove();
            }
        }
    }

    /** The agent's version, from the jar's manifest ("dev" when run from classes). */
    public static String version() {
        String v = Protocol.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
