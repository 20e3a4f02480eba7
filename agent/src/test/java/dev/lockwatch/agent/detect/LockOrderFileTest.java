package dev.lockwatch.agent.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockwatch.agent.graph.LockMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockOrderFileTest {

    @TempDir
    Path dir;

    private static LockOrderFile.KeyOrder order(String held, String taken, Set<String> gates) {
        return new LockOrderFile.KeyOrder("field " + held, held + ".take(A.java:1)", LockMode.EXCLUSIVE, "field " + taken,
                taken + ".take(A.java:2)", LockMode.MONITOR, false, gates, "worker-1", 1_000L, "pid 1 on h, started x");
    }

    @Test
    void escapingRoundTripsEverySeparator() {
        for (String s : List.of("", "plain", "%", "a\tb", "a,b", "line\nbreak\r", "%41 is not A", "ü and 語")) {
            String e = LockOrderFile.escape(s);
            assertTrue(e.indexOf('\t') < 0 && e.indexOf(',') < 0 && e.indexOf('\n') < 0 && e.indexOf('\r') < 0, e);
            assertEquals(s, LockOrderFile.unescape(e));
        }
    }

    @Test
    void formatThenParseGivesTheSameOrders() {
        List<LockOrderFile.KeyOrder> orders = List.of(order("a.B", "c.D", Set.of()),
                order("odd\tname,with%", "x.Y", Set.of("static g.Gate", "comma,gate")));
        String text = LockOrderFile.format(orders, List.of("field a.B writeLock"));
        LockOrderFile.Contents back = LockOrderFile.parse(text.lines().toList());
        assertEquals(orders, back.orders());
        assertEquals(Set.of("field a.B writeLock"), back.writeLocked());
        assertEquals(0, back.skipped());
    }

    @Test
    void linesThatDoNotParseAreSkippedAndCounted() {
        String good = LockOrderFile.format(List.of(order("a.B", "c.D", Set.of())), List.of()).lines().skip(1)
                .findFirst().orElseThrow();
        List<String> lines = List.of(LockOrderFile.HEADER, good, "O\ttoo\tfew", good.replace("EXCLUSIVE", "SIDEWAYS"),
                good.replace("\t1000\t", "\tnot-a-number\t"), "X\tunknown", "W\tfield a.B writeLock", "O\t%4");
        LockOrderFile.Contents c = LockOrderFile.parse(lines);
        assertEquals(1, c.orders().size());
        assertEquals(1, c.writeLocked().size());
        assertEquals(5, c.skipped());
    }

    @Test
    void mergeAddsNewOrdersKeepsOldOnesAndIntersectsGates() throws IOException {
        LockOrderFile file = new LockOrderFile(dir.resolve("orders.txt"));
        assertEquals(1, file.merge(List.of(order("a.B", "c.D", Set.of("static g.Gate", "static g.Other"))), List.of()));
        assertEquals(2, file.merge(List.of(order("a.B", "c.D", Set.of("static g.Gate")), order("c.D", "a.B", Set.of())),
                List.of("field c.D writeLock")));
        LockOrderFile.Contents c = file.read();
        assertEquals(2, c.orders().size());
        assertEquals(Set.of("static g.Gate"), c.orders().get(0).gates(), "a gate counts only if every run had it");
        assertEquals(Set.of("field c.D writeLock"), c.writeLocked());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("orders.txt.lock"))));
    }

    @Test
    void aFileThatIsNotALockOrderFileIsNeverReplaced() throws IOException {
        Path other = dir.resolve("notes.txt");
        Files.writeString(other, "someone's notes\n");
        LockOrderFile file = new LockOrderFile(other);
        assertThrows(IOException.class, file::read);
        assertThrows(IOException.class, () -> file.merge(List.of(order("a.B", "c.D", Set.of())), List.of()));
        assertEquals("someone's notes\n", Files.readString(other, StandardCharsets.UTF_8));
    }

    @Test
    void aSymbolicLinkIsNotFollowed() throws IOException {
        Path target = dir.resolve("target.txt");
        Files.writeString(target, LockOrderFile.HEADER + "\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), target);
        LockOrderFile file = new LockOrderFile(link);
        assertThrows(IOException.class, file::read);
        assertThrows(IOException.class, () -> file.merge(List.of(order("a.B", "c.D", Set.of())), List.of()));
        assertEquals(LockOrderFile.HEADER + "\n", Files.readString(target));
    }

    @Test
    void concurrentMergesLoseNoOrder() throws Exception {
        LockOrderFile file = new LockOrderFile(dir.resolve("shared.txt"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int n = t;
                done.add(pool.submit(() -> file.merge(List.of(order("a.B" + n, "c.D", Set.of()),
                        order("c.D", "a.B" + n, Set.of())), List.of())));
            }
            for (Future<Integer> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        LockOrderFile.Contents c = file.read();
        assertEquals(16, c.orders().size());
        assertEquals(0, c.skipped());
    }
}
