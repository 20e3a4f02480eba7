package dev.lockwatch.it.apps;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Real servers and libraries, idle and then loaded (issue 14's healthy list): an embedded Jetty 12 whose servlet
 * borrows a buffer from a commons-pool2 pool (2 objects, evictor every 500 ms), reads a Caffeine loading cache that
 * refreshes after 1 s, and inserts and counts rows in an in-memory H2 database through a HikariCP pool. Nothing is
 * stuck at any time: idle pool, selector, housekeeper and evictor threads, and borrowers that queue for a short
 * while under load.
 *
 * <p>The test drives it from outside: it waits, sends the load over HTTP, waits again and asks {@code /stop}. The
 * main thread waits in {@code server.join()} without a timeout the whole time, like a real server's main.
 */
public final class IdleServersApp {
    private IdleServersApp() {
    }

    static final class Work extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient HikariDataSource db;
        private final transient LoadingCache<String, String> cache;
        private final transient GenericObjectPool<StringBuilder> buffers;
        private final transient Server server;

        Work(HikariDataSource db, LoadingCache<String, String> cache, GenericObjectPool<StringBuilder> buffers, Server server) {
            this.db = db;
            this.cache = cache;
            this.buffers = buffers;
            this.server = server;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String path = request.getRequestURI();
            if (path.equals("/stop")) {
                // A whole response with its length, flushed before the stop begins: a chunked one could be cut
                // before its last chunk by the server stopping, and the client then read a broken body (seen once
                // in CI with two test forks).
                byte[] body = "stopping\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
                response.flushBuffer();
                Thread stopper = new Thread(() -> {
                    try {
                        server.stop();
                        db.close();
                        buffers.close();
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                }, "idle-servers-stopper");
                stopper.start();
                return;
            }
            StringBuilder buffer = null;
            try {
                buffer = buffers.borrowObject(10_000);
                buffer.setLength(0);
                buffer.append(cache.get(path));
                long rows;
                try (Connection c = db.getConnection()) {
                    try (PreparedStatement insert = c.prepareStatement("insert into hits(path) values (?)")) {
                        insert.setString(1, path);
                        insert.executeUpdate();
                    }
                    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select count(*) from hits")) {
                        r.next();
                        rows = r.getLong(1);
                    }
                }
                response.setContentType("text/plain;charset=utf-8");
                response.getWriter().println(buffer + " " + rows);
            } catch (Exception e) {
                response.sendError(500, e.toString());
            } finally {
                if (buffer != null) {
                    buffers.returnObject(buffer);
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:idle-servers;DB_CLOSE_DELAY=-1");
        config.setPoolName("idle-hikari");
        config.setMaximumPoolSize(3);
        config.setMinimumIdle(2);
        HikariDataSource db = new HikariDataSource(config);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("create table hits(id bigint auto_increment primary key, path varchar(200))");
        }
        LoadingCache<String, String> cache = Caffeine.newBuilder().maximumSize(100)
                .refreshAfterWrite(Duration.ofSeconds(1)).build(key -> key.toUpperCase());
        GenericObjectPool<StringBuilder> buffers = new GenericObjectPool<>(new BasePooledObjectFactory<StringBuilder>() {
            @Override
            public StringBuilder create() {
                return new StringBuilder();
            }

            @Override
            public PooledObject<StringBuilder> wrap(StringBuilder b) {
                return new DefaultPooledObject<>(b);
            }
        });
        buffers.setMaxTotal(2);
        buffers.setMinIdle(1);
        buffers.setDurationBetweenEvictionRuns(Duration.ofMillis(500));

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder(new Work(db, cache, buffers, server)), "/");
        server.setHandler(context);
        server.start();
        System.out.println("idle-servers: listening on port " + connector.getLocalPort());
        server.join();
        System.out.println("idle-servers: stopped");
    }
}
