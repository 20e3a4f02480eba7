package dev.lockwatch.it;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.lockwatch.it.apps.IdleServersApp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HANG never fires on real servers and libraries left idle and then loaded (issue 14): embedded Jetty 12, H2 through
 * HikariCP, Caffeine and commons-pool2 in one child JVM with {@code hangAfter=5s}: 20 s without a request (every
 * idle thread of theirs passes {@code hangAfter} several times), 4 clients x 50 requests, then 6 s idle again
 * (a wait left stuck by the load would pass {@code hangAfter}). The windows are the scenario, not the verdict: the
 * verdict is the child's whole output, which must hold no event of any kind.
 */
class IdleServersIT {
    private static final List<String> KINDS = List.of("DEADLOCK", "STARVATION", "HANG", "LOCK_ORDER", "HELD_WHILE_BLOCKING");
    /** Jars of the test class path the child needs: the servers and libraries, and SLF4J which they log through. */
    private static final List<String> LIBRARIES = List.of("/org/eclipse/jetty/", "/jakarta/servlet/", "/com/zaxxer/",
            "/com/h2database/", "/com/github/ben-manes/caffeine/", "/org/apache/commons/commons-pool2/", "/org/slf4j/slf4j-api/");

    @TempDir
    Path temp;

    /** The library jars, found from the test JVM's own class path (every jar has a manifest). */
    private static List<Path> libraries() throws IOException {
        Set<Path> jars = new LinkedHashSet<>();
        for (URL url : Collections.list(IdleServersIT.class.getClassLoader().getResources("META-INF/MANIFEST.MF"))) {
            String s = url.toString();
            if (s.startsWith("jar:file:") && s.contains("!/")) {
                String file = s.substring("jar:".length(), s.indexOf("!/"));
                String path = URI.create(file).getPath();
                if (LIBRARIES.stream().anyMatch(path::contains)) {
                    jars.add(Path.of(path));
                }
            }
        }
        return new ArrayList<>(jars);
    }

    @Test
    void jettyH2HikariCaffeineAndCommonsPoolIdleThenLoadedReportNothing() throws Exception {
        List<Path> cp = new ArrayList<>(libraries());
        assertTrue(cp.size() >= 7, "library jars on the test class path: " + cp);
        cp.add(0, ChildClasspath.copyApps(Files.createDirectories(temp.resolve("classes")), IdleServersApp.class));
        List<String> cmd = List.of(ChildJvm.java(), ChildJvm.agentArg("interval=500ms,hangAfter=5s"),
                "-cp", ChildClasspath.join(cp), IdleServersApp.class.getName());
        try (ChildJvm child = ChildJvm.start(cmd)) {
            int at = child.awaitLine(l -> l.contains("idle-servers: listening on port"), 0, Duration.ofSeconds(60),
                    "the servers started");
            Matcher m = Pattern.compile("port (\\d+)").matcher(child.output().lines().skip(at).findFirst().orElseThrow());
            assertTrue(m.find());
            URI base = URI.create("http://127.0.0.1:" + m.group(1) + "/");

            Thread.sleep(20_000); // idle: no request at all
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    int client = c;
                    done.add(clients.submit(() -> {
                        int ok = 0;
                        for (int i = 0; i < 50; i++) {
                            HttpRequest get = HttpRequest.newBuilder(base.resolve("item-" + client + "-" + (i % 7)))
                                    .timeout(Duration.ofSeconds(30)).build();
                            if (http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                                ok++;
                            }
                        }
                        return ok;
                    }));
                }
                for (Future<Integer> f : done) {
                    assertEquals(50, f.get(), "every request served:\n" + child.output());
                }
            } finally {
                clients.shutdownNow();
            }
            Thread.sleep(6_000); // idle again, longer than hangAfter

            http.send(HttpRequest.newBuilder(base.resolve("stop")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child.output());
            String out = child.output();
            assertTrue(out.contains("idle-servers: stopped"), out);
            assertTrue(out.contains("transformation errors=0,"), out);
            for (String kind : KINDS) {
                assertFalse(out.contains(kind), "no " + kind + " from idle or loaded servers:\n" + out);
            }
        }
    }
}
