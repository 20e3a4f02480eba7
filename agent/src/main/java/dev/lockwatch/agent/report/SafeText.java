package dev.lockwatch.agent.report;


import java.util.Locale;

/**
 * Text that comes from the application (thread names, class, method and file names, which a class generator can
 * fill with any character) must never start a line of the agent's log or forge an event.
 *
 * <p>{@link TextEncoder} quotes thread names and escapes everything else as it writes it: control characters
 * (newlines, carriage returns, ANSI escapes) and the Unicode line and paragraph separators become a backslash,
 * {@code u} and four hex digits. The JSON form needs none of this (Logback's JsonEncoder escapes every value), so
 * {@link FieldEncoder} writes the values as they are and the names round-trip.
 */
public final class SafeText {
    private SafeText() {
    }

    static boolean unsafe(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    /** {@code s} with every character that could start a line or steer a terminal escaped as above. */
    public static String escape(String s) {
        if (s == null) {
            return null;
        }
        int i = 0;
        while (i < s.length() && !unsafe(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (unsafe(c)) {
                appendUnicodeEscape(sb, c);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A thread name as reports show it: quoted, with quotes, backslashes and control characters escaped. */
    public static String quote(String name) {
        if (name == null) {
            return "\"?\"";
        }
        StringBuilder sb = new StringBuilder(name.length() + 2).append('"');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (unsafe(c)) {
                appendUnicodeEscape(sb, c);
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static void appendUnicodeEscape(StringBuilder sb, char c) {
        String hex = Integer.toHexString(c);
        sb.append("\\u");
        for (int pad = hex.length(); pad < 4; pad++) {
            sb.append('0');
        }
        sb.append(hex);
    }

    /**
     * Text for a line that is not an event (a problem of the agent, an exception message): escaped, and any
     * event kind written in capitals is lower-cased, so that only events carry those words.
     */
    public static String plain(String s) {
        String escaped = escape(s);
        if (escaped == null) {
            return "null";
        }
        for (EventKind kind : EventKind.values()) {
            escaped = lowerWord(escaped, kind.name());
        }
        return escaped;
    }

    /** {@code word} lower-cased where it stands as a word of its own (not inside {@code CHANGE} or {@code MY_HANG}). */
    private static String lowerWord(String s, String word) {
        int at = s.indexOf(word);
        if (at < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        int from = 0;
        for (; at >= 0; at = s.indexOf(word, at + word.length())) {
            int end = at + word.length();
            boolean alone = (at == 0 || !wordChar(s.charAt(at - 1))) && (end == s.length() || !wordChar(s.charAt(end)));
            sb.append(s, from, at).append(alone ? word.toLowerCase(Locale.ROOT) : word);
            from = end;
        }
        return sb.append(s, from, s.length()).toString();
    }

    private static boolean wordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
