package dev.lockwatch.agent.sites;

import dev.lockwatch.agent.instrument.CallSiteRewriter;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, item 9: the call-site table once only grew (50,000 unloaded classes left 200,001 site strings, and every
 * retransformation added a class's sites again). Sites of a collected loader go away; a class rewritten again keeps
 * its ids.
 */
class SiteTableGrowthTest {
    /** A class with lock calls outside the agent's own packages (which are never rewritten). */
    private static final String FIXTURE = "dev/lockwatch/it/apps/TimedBackoffApp";

    @Test
    void sitesOfACollectedLoaderAreFreedAndTheirIdsReadAsNotRecorded() throws Exception {
        SiteTable sites = new SiteTable();
        int before = sites.size();
        ClassLoader loader = new URLClassLoader(new URL[0], null);
        List<Integer> ids = new ArrayList<>();
        for (int c = 0; c < 100; c++) {
            for (int line = 0; line < 10; line++) {
                ids.add(sites.register(loader, "com/example/C" + c, "com.example.C" + c + ".m(C" + c + ".java:" + line + ")"));
            }
        }
        assertEquals(before + 1000, sites.size());
        assertEquals("com.example.C7.m(C7.java:3)", sites.describe(ids.get(73)));
        WeakReference<ClassLoader> gone = new WeakReference<>(loader);
        loader = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((gone.get() != null || sites.size() != before) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(gone.get(), "the loader was not collected within 10 s");
        assertEquals(before, sites.size(), "the collected loader's sites are freed");
        assertNull(sites.describe(ids.get(73)), "a freed id is 'not recorded', never another class's site");

        ClassLoader next = new URLClassLoader(new URL[0], null);
        int reused = sites.register(next, "com/example/D", "com.example.D.m(D.java:1)");
        assertTrue((reused & ((1 << 22) - 1)) <= ids.stream().mapToInt(i -> i & ((1 << 22) - 1)).max().getAsInt(),
                "a freed index is reused before the table grows");
        assertNull(sites.describe(ids.get(73)));
        assertEquals("com.example.D.m(D.java:1)", sites.describe(reused));
    }

    /**
     * A synchronized method's monitor and a synchronized block that read alike (overloads of one name without line
     * numbers, both on this) get two ids: the monitor fast path reuses a same-site ghost as a block's, which it
     * hashed before entering, and a method's entry was never hashed.
     */
    @Test
    void aSynchronizedMethodsSiteNeverSharesAnIdWithABlockThatReadsAlike() {
        SiteTable sites = new SiteTable();
        ClassLoader loader = SiteTableGrowthTest.class.getClassLoader();
        String text = "com.example.C.m(C.java)";
        int block = sites.register(loader, "com/example/C", text, "this com.example.C");
        int method = sites.register(loader, "com/example/C", text, "this com.example.C", true);
        assertNotEquals(block, method);
        assertEquals(block, sites.register(loader, "com/example/C", text, "this com.example.C"));
        assertEquals(method, sites.register(loader, "com/example/C", text, "this com.example.C", true));
        assertEquals(text, sites.describe(method), "the text reads the same");
        assertEquals("this com.example.C", sites.keyOf(method), "the key means the same in every run");
    }

    @Test
    void aClassRewrittenAgainGetsTheIdsItHad() throws Exception {
        SiteTable sites = new SiteTable();
        List<String> errors = new ArrayList<>();
        CallSiteRewriter rewriter = new CallSiteRewriter(sites, (type, t) -> errors.add(type + ": " + t));
        byte[] bytes;
        ClassLoader loader = SiteTableGrowthTest.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(FIXTURE + ".class")) {
            assertNotNull(in);
            bytes = in.readAllBytes();
        }
        assertNotNull(rewriter.transform(loader, FIXTURE, null, null, bytes), "the fixture has lock call sites");
        int once = sites.size();
        for (int i = 0; i < 2000; i++) { // another agent retransforming the class over and over
            rewriter.transform(loader, FIXTURE, null, null, bytes);
        }
        assertEquals(once, sites.size(), "2,000 retransformations add no site");
        assertEquals(List.of(), errors);
    }
}
