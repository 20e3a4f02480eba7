package dev.lockwatch.agent.ops;

/**
 * What happens, besides the log line, when threads are stuck for good (a DEADLOCK or a STARVATION report; not
 * the warnings, not the reminders, not suppressed reports): {@code log} (nothing more), {@code dump} (a full
 * thread dump and the wait-for graph to a file), {@code exit=<code>} (the JVM halts with that code) or
 * {@code dump+exit=<code>}.
 *
 * @param exitCode 1 to 255, or -1 for no exit
 */
public record OnDeadlock(boolean dump, int exitCode) {
    public static final OnDeadlock LOG = new OnDeadlock(false, -1);

    /** The action {@code text} names, or null when it names none. */
    public static OnDeadlock parse(String text) {
        String t = text.trim();
        switch (t) {
            case "log":
                return LOG;
            case "dump":
                return new OnDeadlock(true, -1);
            default:
                break;
        }
        boolean dump = t.startsWith("dump+");
        String exit = dump ? t.substring("dump+".length()) : t;
        if (!exit.startsWith("exit=") || !exit.substring(5).matches("\\d{1,3}")) {
            return null;
        }
        int code = Integer.parseInt(exit.substring(5));
        return code >= 1 && code <= 255 ? new OnDeadlock(dump, code) : null;
    }

    public boolean exits() {
        return exitCode > 0;
    }

    @Override
    public String toString() {
        if (!dump && !exits()) {
            return "log";
        }
        return (dump ? "dump" : "") + (dump && exits() ? "+" : "") + (exits() ? "exit=" + exitCode : "");
    }
}
