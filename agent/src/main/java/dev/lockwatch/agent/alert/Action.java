package dev.lockwatch.agent.alert;

/**
 * What happens, besides the event itself, when a finding is first reported: {@code log} (nothing more),
 * {@code dump} (a full thread dump and the wait-for graph to a file), {@code exit=<code>} (the JVM halts with that
 * code) or {@code dump+exit=<code>}. {@code onDeadlock} (DEADLOCK and STARVATION) and {@code onHang} take all
 * four; {@code onLockOrder} takes {@code log} and {@code exit=<code>}. Reminders and suppressed reports trigger none.
 *
 * @param exitCode 1 to 255, or -1 for no exit
 */
public record Action(boolean dump, int exitCode) {
    public static final Action LOG = new Action(false, -1);

    /** The action {@code text} names, or null when it names none. */
    public static Action parse(String text) {
        String t = text.trim();
        switch (t) {
            case "log":
                return LOG;
            case "dump":
                return new Action(true, -1);
            default:
                break;
        }
        boolean dump = t.startsWith("dump+");
        String exit = dump ? t.substring("dump+".length()) : t;
        if (!exit.startsWith("exit=") || !exit.substring(5).matches("\\d{1,3}")) {
            return null;
        }
        int code = Integer.parseInt(exit.substring(5));
        return code >= 1 && code <= 255 ? new Action(dump, code) : null;
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
