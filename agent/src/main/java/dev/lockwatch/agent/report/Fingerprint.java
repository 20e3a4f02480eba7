package dev.lockwatch.agent.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Fingerprints: a stable 16-hex-digit hash (FNV-1a, 64 bit) of a set of strings, whatever their order. Reports
 * build the strings from what the code does (kinds of waits, acquisition and wait sites, lock classes), so the same
 * finding gets the same fingerprint across restarts and hosts, which alerting pipelines deduplicate on.
 */
public final class Fingerprint {
    private Fingerprint() {
    }

    public static String of(Collection<String> parts) {
        List<String> sorted = new ArrayList<>(parts);
        sorted.sort(null);
        long h = 0xcbf29ce484222325L;
        for (String part : sorted) {
            for (int i = 0; i < part.length(); i++) {
                h ^= part.charAt(i);
                h *= 0x100000001b3L;
            }
            h ^= '|';
            h *= 0x100000001b3L;
        }
        String hex = Long.toHexString(h);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /**
     * A class name without what the JVM or a framework numbers per run: lambda and hidden classes
     * ({@code Foo$$Lambda$123/0x0000000800c0b048}), proxies ({@code $Proxy12}), generated subclasses.
     */
    public static String stableClassName(String name) {
        if (name == null) {
            return "?";
        }
        int lambda = name.indexOf("$$Lambda");
        if (lambda >= 0) {
            return name.substring(0, lambda) + "$$Lambda";
        }
        int hidden = name.indexOf("/0x");
        String s = hidden >= 0 ? name.substring(0, hidden) : name;
        return s.replaceAll("\\$Proxy\\d+", "\\$Proxy").replaceAll("\\$\\$([A-Za-z]+)\\$\\$[0-9a-fA-F]+", "\\$\\$$1");
    }
}
