package dev.lockwatch.agent.detect;

import dev.lockwatch.agent.graph.LockMode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lock-order file ({@code lockOrderFile=<path>}): the orders every run has taken, between locks named the same
 * way in every run (a static or instance field, {@code this} or a class literal of a class, {@link KeyOrder}), so
 * that an inversion whose halves ran in two JVMs is found by the second.
 *
 * <p>Read once at start; merged at exit: under an exclusive lock of {@code <path>.lock}, the file is read again,
 * this run's new orders are added, and the result is written to a temporary file in the same directory and moved
 * over the file atomically, so that concurrent JVMs never corrupt it and a reader never sees half a file. The file is
 * text, one order or one write-locked lock per line, fields separated by tabs and %-escaped; a line that does not
 * parse is skipped and counted. At most {@value #MAX_ORDERS} orders are kept (the oldest).
 */
public final class LockOrderFile {
    static final String HEADER = "lockwatch lock orders 1";
    static final int MAX_ORDERS = 65_536;
    private static final long LOCK_WAIT_MILLIS = 2_000;

    /**
     * One order between named locks. {@code gates}: the names of locks held exclusively around every occurrence;
     * {@code run}: which run took it first ({@code pid 4711 on host, 2026-12-02T10:15:00Z}).
     */
    public record KeyOrder(String heldKey, String heldSite, LockMode heldMode, String takenKey, String takenSite,
                           LockMode takenMode, boolean timed, Set<String> gates, String thread, long millis, String run) {
        public KeyOrder {
            gates = Set.copyOf(gates);
        }

        /** What makes two occurrences the same order. */
        String identity() {
            return heldKey + '\t' + heldSite + '\t' + heldMode + '\t' + takenKey + '\t' + takenSite + '\t' + takenMode;
        }

        /** The same order seen again: the gates it was always under are those common to both. */
        KeyOrder seenAgain(KeyOrder other) {
            Set<String> common = new LinkedHashSet<>(gates);
            common.retainAll(other.gates);
            return new KeyOrder(heldKey, heldSite, heldMode, takenKey, takenSite, takenMode, timed || other.timed, common,
                    thread, millis, run);
        }
    }

    /** What the file holds. {@code skipped}: lines that did not parse. */
    public record Contents(List<KeyOrder> orders, Set<String> writeLocked, int skipped) {
        static final Contents EMPTY = new Contents(List.of(), Set.of(), 0);
    }

    private final Path path;

    public LockOrderFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** The file's orders; a missing file is empty. */
    public Contents read() throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return Contents.EMPTY;
        }
        if (Files.isSymbolicLink(path)) {
            throw new IOException("it is a symbolic link");
        }
        try {
            List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            if (!lines.isEmpty() && !lines.get(0).equals(HEADER)) {
                // never merged into, so that a mistyped path does not replace someone's file
                throw new IOException("it is not a Lockwatch lock-order file (its first line is not '" + HEADER + "')");
            }
            return parse(lines);
        } catch (NoSuchFileException e) {
            return Contents.EMPTY; // removed since the check
        }
    }

    /**
     * Adds {@code orders} and {@code writeLocked} to the file, under the file lock. Returns how many orders the file
     * holds now, or throws if the lock could not be had within {@value #LOCK_WAIT_MILLIS} ms or the file could not
     * be written (then the file is as it was).
     */
    public int merge(Collection<KeyOrder> orders, Collection<String> writeLocked) throws IOException {
        Path lockPath = path.resolveSibling(path.getFileName() + ".lock");
        try (FileChannel channel = openLockFile(lockPath); FileLock lock = lock(channel)) {
            Contents now = read();
            Map<String, KeyOrder> merged = new LinkedHashMap<>();
            for (KeyOrder o : now.orders()) {
                merged.merge(o.identity(), o, KeyOrder::seenAgain);
            }
            for (KeyOrder o : orders) {
                if (merged.size() >= MAX_ORDERS && !merged.containsKey(o.identity())) {
                    continue;
                }
                merged.merge(o.identity(), o, KeyOrder::seenAgain);
            }
            Set<String> written = new LinkedHashSet<>(now.writeLocked());
            written.addAll(writeLocked);
            Path temp = Files.createTempFile(path.toAbsolutePath().getParent(), "." + path.getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                    out.write(format(merged.values(), written));
                }
                try {
                    Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            return merged.size();
        }
    }

    /** The file that concurrent JVMs lock to merge one at a time: owner-only, never through a symbolic link. */
    private static FileChannel openLockFile(Path lockPath) throws IOException {
        try {
            return FileChannel.open(lockPath, Set.<java.nio.file.OpenOption>of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static FileLock lock(FileChannel channel) throws IOException {
        long deadline = System.nanoTime() + LOCK_WAIT_MILLIS * 1_000_000;
        while (true) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // another thread of this JVM holds it: wait the same way
            }
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("another JVM held its lock for more than " + LOCK_WAIT_MILLIS + " ms");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for its lock");
            }
        }
    }

    static String format(Collection<KeyOrder> orders, Collection<String> writeLocked) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (KeyOrder o : orders) {
            sb.append('O');
            for (String f : List.of(o.heldKey(), o.heldSite(), o.heldMode().name(), o.takenKey(), o.takenSite(),
                    o.takenMode().name(), o.timed() ? "1" : "0")) {
                sb.append('\t').append(escape(f));
            }
            sb.append('\t').append(String.join(",", escapeAll(o.gates()))); // each gate escaped, so commas separate
            for (String f : List.of(o.thread(), Long.toString(o.millis()), o.run())) {
                sb.append('\t').append(escape(f));
            }
            sb.append('\n');
        }
        for (String key : writeLocked) {
            sb.append("W\t").append(escape(key)).append('\n');
        }
        return sb.toString();
    }

    static Contents parse(List<String> lines) {
        List<KeyOrder> orders = new ArrayList<>();
        Set<String> writeLocked = new LinkedHashSet<>();
        int skipped = 0;
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            return new Contents(List.of(), Set.of(), lines.size());
        }
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t", -1);
            try {
                if (f[0].equals("O") && f.length == 12) {
                    Set<String> gates = new LinkedHashSet<>();
                    if (!f[8].isEmpty()) {
                        for (String g : f[8].split(",", -1)) {
                            gates.add(unescape(g));
                        }
                    }
                    orders.add(new KeyOrder(unescape(f[1]), unescape(f[2]), LockMode.valueOf(f[3]), unescape(f[4]),
                            unescape(f[5]), LockMode.valueOf(f[6]), f[7].equals("1"), gates, unescape(f[9]),
                            Long.parseLong(f[10]), unescape(f[11])));
                } else if (f[0].equals("W") && f.length == 2) {
                    writeLocked.add(unescape(f[1]));
                } else {
                    skipped++;
                }
            } catch (IllegalArgumentException e) {
                skipped++;
            }
        }
        return new Contents(orders, writeLocked, skipped);
    }

    private static List<String> escapeAll(Collection<String> items) {
        List<String> out = new ArrayList<>(items.size());
        for (String s : items) {
            out.add(escape(s));
        }
        return out;
    }

    /** {@code %}, tab, comma, carriage return and newline as {@code %XX}: a field never breaks a line or a list. */
    static String escape(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' || c == '\t' || c == ',' || c == '\n' || c == '\r') {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                sb.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    static String unescape(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 3 > s.length()) {
                    throw new IllegalArgumentException("a % at the end of a field");
                }
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
