package dev.lockwatch.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;

import dev.lockwatch.bench.CompareRunner.Agent;
import dev.lockwatch.bench.CompareRunner.Score;
import dev.lockwatch.bench.CompareRunner.Settings;
import dev.lockwatch.bench.CompareRunner.UsageException;

/**
 * {@code CompareRunner --tick}: the cost of one watchdog tick, measured by {@link WatchdogTickBenchmark} in forks
 * that run WITH the agent only (there is no "without" to compare with: the watchdog is the agent's). Same
 * options as {@link CompareRunner} (agent jar, warmup, iterations, forks, time, fork JVM args, verbosity), plus
 *
 * <pre>
 *   -Dbench.tickThreads=N[,N...]   live threads in the fork's fixture    (default 1000)
 *   -Dbench.tickWaiting=N[,N...]   how many of them wait for a lock      (default 0,10)
 *   -Dbench.tickWaitOn=lock,queue  what they wait on: a contended lock, or take() of an empty queue (default lock)
 *   -Dbench.tickHangAfter=off,30s  HANG detection in the measured watchdog (default off; the agent's is 30s)
 * </pre>
 *
 * Prints a Markdown table {@code | threads | waiting | idle threads waited before | µs per tick (± error) |} and writes it, with the run's
 * settings, to {@code bench.out} (default {@code tick-cost.md} beside the jar: benchmarks/target/tick-cost.md).
 *
 * <p>This class never loads {@link WatchdogTickBenchmark} (it links to the agent's classes, which the host JVM
 * does not have); it names it by the constant {@link WatchdogTickBenchmark#NAME}, which javac inlines.
 */
final class TickCostRunner {

    /** JMH include pattern of the tick benchmark (also CompareRunner's exclude). */
    static final String INCLUDE = "^" + Pattern.quote(WatchdogTickBenchmark.NAME) + "\\.";

    record Row(int threads, int waiting, String waitOn, String hangAfter, boolean idleWaitedBefore, Score score) {
    }

    private TickCostRunner() {
    }

    static int run(boolean listOnly) throws UsageException {
        List<String> benchmarks = CompareRunner.findBenchmarks(List.of(INCLUDE), List.of());
        if (benchmarks.isEmpty()) {
            throw new UsageException("no " + WatchdogTickBenchmark.NAME + " in this jar (rebuild it)");
        }
        if (listOnly) {
            benchmarks.forEach(System.out::println);
            return 0;
        }

        Agent agent = Agent.fromProperties();
        Settings run = Settings.fromProperties();
        Path out = CompareRunner.resultFile("tick-cost.md");
        ChainedOptionsBuilder options = run.options(INCLUDE).timeUnit(TimeUnit.MICROSECONDS).threads(1)
                .jvmArgsAppend(agent.flag());
        if (CompareRunner.isSet("bench.tickThreads")) {
            options.param("threads", intList("bench.tickThreads"));
        }
        if (CompareRunner.isSet("bench.tickWaiting")) {
            options.param("waiting", intList("bench.tickWaiting"));
        }
        if (CompareRunner.isSet("bench.tickWaitOn")) {
            options.param("waitOn", System.getProperty("bench.tickWaitOn").split(","));
        }
        if (CompareRunner.isSet("bench.tickHangAfter")) {
            options.param("hangAfter", System.getProperty("bench.tickHangAfter").split(","));
        }

        String settings = run.describe("");
        System.out.println("lockwatch-bench: watchdog tick cost, WITH the agent only, " + settings);
        System.out.println("lockwatch-bench: agent " + agent.source() + " (fork flag " + agent.flag() + ")");

        List<Row> rows = new ArrayList<>();
        boolean failed = false;
        try {
            Collection<RunResult> results = new Runner(options.build()).run();
            for (RunResult r : results) {
                BenchmarkParams params = r.getParams();
                Result<?> primary = r.getPrimaryResult();
                rows.add(new Row(Integer.parseInt(params.getParam("threads")),
                        Integer.parseInt(params.getParam("waiting")),
                        params.getParam("waitOn"), params.getParam("hangAfter"),
                        Boolean.parseBoolean(params.getParam("idleWaitedBefore")),
                        new Score(primary.getScore(), primary.getScoreError(), primary.getScoreUnit())));
            }
        } catch (RunnerException e) {
            System.err.println("lockwatch-bench: the tick benchmark failed: " + e.getMessage());
            failed = true;
        }
        if (rows.isEmpty()) {
            System.err.println("lockwatch-bench: no tick results (see the JMH output above)");
            return 1;
        }
        rows.sort(Comparator.comparingInt(Row::threads).thenComparingInt(Row::waiting).thenComparing(Row::waitOn)
                .thenComparing(Row::hangAfter).thenComparing(Row::idleWaitedBefore));

        String table = renderTable(rows);
        String report = "# Lockwatch watchdog: cost of one tick\n\n"
                + CompareRunner.environment()
                + "- agent: " + agent.describe() + " (every fork runs with it)\n"
                + "- settings: " + settings + ", mode AverageTime\n"
                + "- benchmark: `" + CompareRunner.shortName(benchmarks.get(0)) + "`: one `Watchdog.tick()` of a"
                + " watchdog of its own; threads = live fixture threads, all parked (`LockSupport.park()`) except"
                + " `waiting` blocked in `ReentrantLock.lock()` on locks a parked thread holds (no deadlock);"
                + " with idleWaitedBefore, every idle thread waited once before it parked; waits on = queue: the"
                + " `waiting` threads are in `take()` of empty queues of their own instead; HANG = the measured"
                + " watchdog's hangAfter\n"
                + "- error = 99.9% confidence half-width\n\n"
                + table;

        System.out.println();
        System.out.print(table);
        if (!CompareRunner.write(out, report)) {
            failed = true;
        }
        if (failed) {
            System.err.println("lockwatch-bench: some runs FAILED (see the JMH output above)");
        }
        return failed ? 1 : 0;
    }

    static String renderTable(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| threads | waiting | waits on | HANG | idle threads waited before | µs per tick (± error) |\n");
        sb.append("|---:|---:|---|---|---:|---:|\n");
        for (Row row : rows) {
            sb.append(String.format(Locale.ROOT, "| %,d | %,d | %s | %s | %s | %s |%n", row.threads(), row.waiting(),
                    row.waitOn(), row.hangAfter(), row.idleWaitedBefore() ? "yes" : "no",
                    CompareRunner.formatScore(row.score())));
        }
        return sb.toString();
    }

    /** A comma-separated list of non-negative integers, for a JMH @Param. */
    private static String[] intList(String name) throws UsageException {
        String[] values = System.getProperty(name).split(",");
        for (int i = 0; i < values.length; i++) {
            values[i] = values[i].trim();
            try {
                if (Integer.parseInt(values[i]) < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new UsageException(name + " must be non-negative integers separated by commas, got '"
                        + System.getProperty(name) + "'");
            }
        }
        return values;
    }
}
