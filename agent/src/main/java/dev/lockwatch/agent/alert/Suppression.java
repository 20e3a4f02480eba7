package dev.lockwatch.agent.alert;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code suppress=com.example.Legacy*|com.example.Cache.get}: reports that lie wholly inside known code are counted,
 * not logged.
 *
 * <p>A pattern is a class name or a class and method name ({@code com.example.Cache.get}); {@code *} stands for any
 * characters, dots included. The sites of a report ({@code Report.sites()}) are where each lock of it was acquired
 * (where recorded) and, for each thread, the innermost frame outside the JDK, where it waits. A report is suppressed when it has at
 * least one site and <em>every</em> site matches a pattern: a deadlock between legacy code and new code is still
 * reported, since only the new side may be the one to fix.
 */
public final class Suppression {
    public static final Suppression NONE = new Suppression("", List.of());

    private final String text;
    private final List<Pattern> patterns;

    private Suppression(String text, List<Pattern> patterns) {
        this.text = text;
        this.patterns = List.copyOf(patterns);
    }

    /** The patterns of {@code text}, or null when it is empty or a pattern is not a class or method name. */
    public static Suppression parse(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            return null;
        }
        List<Pattern> patterns = new ArrayList<>();
        for (String part : trimmed.split("\\|", -1)) {
            String p = part.trim();
            if (!wellFormed(p)) {
                return null;
            }
            StringBuilder regex = new StringBuilder();
            String[] literals = p.split("\\*", -1);
            for (int i = 0; i < literals.length; i++) {
                if (i > 0) {
                    regex.append(".*");
                }
                if (!literals[i].isEmpty()) {
                    regex.append(Pattern.quote(literals[i]));
                }
            }
            patterns.add(Pattern.compile(regex.toString()));
        }
        return new Suppression(trimmed, patterns);
    }

    /** Java name characters, dots between names and {@code *}; not empty, not only {@code *} and dots. */
    private static boolean wellFormed(String p) {
        if (p.isEmpty() || p.startsWith(".") || p.endsWith(".") || p.contains("..")) {
            return false;
        }
        boolean name = false;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '.' || c == '*') {
                continue;
            }
            if (!Character.isJavaIdentifierPart(c) || Character.isIdentifierIgnorable(c)) {
                return false;
            }
            name = true;
        }
        return name;
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** At least one site, and every site matches a pattern. */
    public boolean suppresses(Collection<String> sites) {
        if (patterns.isEmpty() || sites.isEmpty()) {
            return false;
        }
        for (String site : sites) {
            if (!matches(site)) {
                return false;
            }
        }
        return true;
    }

    /** {@code site} is {@code com.example.Bank.transfer(Bank.java:42)} or {@code com.example.Bank.transfer}. */
    boolean matches(String site) {
        int paren = site.indexOf('(');
        String method = paren < 0 ? site : site.substring(0, paren);
        int dot = method.lastIndexOf('.');
        String cls = dot < 0 ? method : method.substring(0, dot);
        for (Pattern p : patterns) {
            if (p.matcher(cls).matches() || p.matcher(method).matches()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return patterns.isEmpty() ? "none" : text;
    }
}
