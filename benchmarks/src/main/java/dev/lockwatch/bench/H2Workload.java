package dev.lockwatch.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A fixed amount of database work, timed as a whole: an embedded in-memory H2 database, {@value #WORKERS} worker
 * threads, each with its own connection (auto-commit), each running {@value #STATEMENTS_PER_WORKER} statements
 * that alternate an {@code INSERT} of a new key and a {@code SELECT} by a key it inserted earlier in the same
 * operation. One operation is the whole run of all workers, so the score (ms/op) is the wall time of that
 * work; the target is at most 1.10x with the agent's {@code lockOrder=on}.
 *
 * <p>Unlike the micro-benchmarks this is an application's own locking as it comes: H2's MVStore, its sessions and
 * its table locks take {@code ReentrantLock}s and monitors, in H2's code, which the agent instruments like any
 * application class (H2 is shaded into the benchmarks jar, on the class path of the forks). The workers contend
 * (four of them on two cores), so waits and lock orders are recorded too, not only fast paths.
 *
 * <p>The benchmark thread hands the four tasks to a fixed pool made at trial set-up and waits for them; that
 * hand-off is microseconds against an operation of hundreds of milliseconds. The table is emptied after every
 * iteration, outside the measurement, so it never holds more than one iteration's rows. With an iteration time
 * shorter than one operation, JMH runs one operation per iteration.
 *
 * <p>Eight warm-up iterations: the first operations of a fork are the JIT compiling H2's classes (and, with the
 * agent, their rewritten lock and monitor sites), several times slower than a warm one; the score is the steady
 * state, and {@code scripts/bench-all.sh} gives the warm-up separately.
 *
 * <p>Annotation values are the defaults when run through plain JMH; {@link CompareRunner} overrides them from its
 * own options.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class H2Workload {

    static final int WORKERS = 4;
    static final int STATEMENTS_PER_WORKER = 20_000;
    /** Each statement pair is one insert and one select. */
    private static final int INSERTS_PER_WORKER = STATEMENTS_PER_WORKER / 2;

    private ExecutorService pool;
    private Connection admin;
    private final List<Worker> workers = new ArrayList<>(WORKERS);
    /** First key of the next operation; keys never repeat within an iteration (the table is emptied after it). */
    private long nextKey;

    /** One worker's connection and statements; used by one pool thread at a time (one task per operation). */
    private static final class Worker implements Callable<Long> {
        private final Connection connection;
        private final PreparedStatement insert;
        private final PreparedStatement select;
        private final SplittableRandom random;
        long firstKey;

        Worker(Connection connection, long seed) throws SQLException {
            this.connection = connection;
            this.insert = connection.prepareStatement("INSERT INTO item (id, name, amount) VALUES (?, ?, ?)");
            this.select = connection.prepareStatement("SELECT name, amount FROM item WHERE id = ?");
            this.random = new SplittableRandom(seed);
        }

        @Override
        public Long call() throws SQLException {
            long checksum = 0;
            for (int i = 0; i < INSERTS_PER_WORKER; i++) {
                long key = firstKey + i;
                insert.setLong(1, key);
                insert.setString(2, "item-" + key);
                insert.setLong(3, key * 7);
                insert.executeUpdate();

                select.setLong(1, firstKey + random.nextInt(i + 1));
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("a key this worker inserted is missing");
                    }
                    checksum += rs.getLong(2) + rs.getString(1).length();
                }
            }
            return checksum;
        }

        void close() throws SQLException {
            insert.close();
            select.close();
            connection.close();
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        // A name of its own per trial; the database lives as long as a connection to it is open.
        String url = "jdbc:h2:mem:lockwatch-bench-" + System.nanoTime();
        admin = DriverManager.getConnection(url, "sa", "");
        try (Statement s = admin.createStatement()) {
            s.execute("CREATE TABLE item (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL, amount BIGINT NOT NULL)");
        }
        for (int i = 0; i < WORKERS; i++) {
            workers.add(new Worker(DriverManager.getConnection(url, "sa", ""), 42 + i));
        }
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "bench-h2-worker-" + n.incrementAndGet());
            t.setDaemon(true); // never keep the fork alive if tear-down is skipped
            return t;
        });
    }

    @TearDown(Level.Iteration)
    public void emptyTable() throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute("TRUNCATE TABLE item");
        }
        nextKey = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException, InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        for (Worker w : workers) {
            w.close();
        }
        admin.close();
    }

    @Benchmark
    public long insertAndSelect() throws InterruptedException, ExecutionException {
        for (Worker w : workers) {
            w.firstKey = nextKey;
            nextKey += INSERTS_PER_WORKER;
        }
        long checksum = 0;
        for (Future<Long> f : pool.invokeAll(workers)) {
            checksum += f.get();
        }
        return checksum;
    }
}
