/*
 * CompareRunner: the Lockwatch overhead benchmark, run side by side.
 *
 * Usage (from the repository root; scripts/bench.sh does the cd and builds missing jars):
 *
 *   java [-Dopt=value ...] -jar benchmarks/target/lockwatch-benchmarks.jar [-Dopt=value ...] [REGEX ...]
 *
 *   REGEX       JMH-style include patterns (matched with find() against the full benchmark name,
 *               e.g. "LockBenchmarks", "reentrantLock$", "Handoff.*submit"); several are OR-ed.
 *               Default: every benchmark in the jar.
 *   -l, --list  list the matching benchmarks and exit.
 *   --tick      run WatchdogTickBenchmark instead, with the agent only: see TickCostRunner.
 *   -h, --help  print this help and exit.
 *
 * Options are system properties; "-Dkey=value" given AFTER -jar (as program arguments, which is
 * what scripts/bench.sh passes on) is accepted too:
 *
 *   -Dlockwatch.agentJar=PATH     agent jar (default agent/target/lockwatch-agent.jar, relative
 *                                 to the working directory). Missing file: one error line, exit 2.
 *                                 It is copied to a temp dir once at start, so a rebuild of the
 *                                 agent during the run cannot mix two builds in one comparison.
 *   -Dlockwatch.agentOptions=S    appended as -javaagent:PATH=S (default: none).
 *   -Dbench.warmup=N              warmup iterations per fork            (default 3)
 *   -Dbench.iterations=N          measurement iterations per fork       (default 5)
 *   -Dbench.forks=N               forks per configuration and round     (default 1)
 *   -Dbench.rounds=N              rounds per benchmark                  (default 1): each round runs
 *                                 both configurations, in the order without/with, then with/without in
 *                                 the next round (ABBA), so a machine that drifts during the run
 *                                 weighs on both sides alike
 *   -Dbench.time=T                measurement iteration time, e.g. 1s, 200ms (default 1s)
 *   -Dbench.warmupTime=T          warmup iteration time                 (default: bench.time)
 *   -Dbench.jvmArgs="A B"         extra JVM args for BOTH forks, whitespace-separated
 *   -Dbench.verbose=MODE          JMH output: silent | normal | extra   (default normal)
 *   -Dbench.out=PATH              Markdown result file (default results.md next to the jar,
 *                                 i.e. benchmarks/target/results.md; tick-cost.md with --tick)
 *   -Dbench.commit=ID             the source commit the result file names (scripts/bench.sh passes
 *                                 "git rev-parse --short HEAD", with "-dirty" when the tree has changes)
 *
 * For every selected benchmark it runs one JMH fork set WITHOUT the agent and one WITH
 * "-javaagent:<agentJar>", back to back, so each pair sees the same machine state (bench.rounds times,
 * alternating which goes first). Both
 * configurations get exactly "-Xms1g -Xmx1g" (+ bench.jvmArgs); the agent fork additionally gets
 * the -javaagent flag and nothing else. The host JVM's own flags are NOT inherited by the forks.
 * Mode is AverageTime, in each benchmark's @OutputTimeUnit (ns/op for the lock and hand-off
 * benchmarks, ms/op for the H2 workload), with its own @Threads or @Group. At the end a Markdown table
 *
 *   | benchmark | without agent (± error) | with agent (± error) | ratio | 95% interval (forks a side) |
 *
 * is printed and written to bench.out. ratio = with / without (1.00x = no overhead); the error is
 * JMH's 99.9% confidence half-width over all measured iterations of all forks and rounds ("n/a" when there
 * are too few to compute one). With at least 3 forks per side (forks x rounds) the table adds a 95%
 * bootstrap interval of the ratio over forks: a fork's mean is the unit, because a round trip between
 * threads settles into a fork-wide scheduling pattern, so iterations within a fork are not independent.
 * Exit status: 0 if all runs succeeded, 1 if any run failed, 2 on bad usage / missing agent jar.
 *
 * WatchdogTickBenchmark is never part of the pairs: it calls the agent's watchdog directly and cannot
 * run without the agent. "--tick" runs it alone (TickCostRunner), with the same options.
 */
package dev.lockwatch.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SortedSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.ListStatistics;

public final class CompareRunner {

    static final String DEFAULT_AGENT_JAR = "agent/target/lockwatch-agent.jar";
    static final List<String> HEAP_ARGS = List.of("-Xms1g", "-Xmx1g");
    private static final String PACKAGE_PREFIX = "dev.lockwatch.bench.";

    /** Thrown for a usage problem that ends the run with one line on stderr and exit code 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** One benchmark's score in one configuration; {@code null} fields mean the run failed. */
    record Score(double score, double error, String unit) {
    }

    /**
     * One benchmark's result: both sides' scores, the forks each side's score comes from, and the 95% bootstrap
     * interval of the ratio over forks ({@code null} with fewer than {@value #MIN_FORKS_FOR_INTERVAL} forks a side).
     */
    record Row(String benchmark, Score without, Score with, int forks, double[] interval) {
    }

    static final int MIN_FORKS_FOR_INTERVAL = 3;

    /** Everything one configuration of one benchmark measured, over all rounds. */
    static final class Side {
        private final ListStatistics iterations = new ListStatistics();
        private final List<Double> forkMeans = new ArrayList<>();
        private String unit;
        private boolean failed;

        void add(RunResult result) {
            for (BenchmarkResult fork : result.getBenchmarkResults()) {
                ListStatistics forkStats = new ListStatistics();
                for (IterationResult it : fork.getIterationResults()) {
                    double v = it.getPrimaryResult().getScore();
                    iterations.addValue(v);
                    forkStats.addValue(v);
                }
                forkMeans.add(forkStats.getMean());
                unit = fork.getPrimaryResult().getScoreUnit();
            }
        }

        void fail() {
            failed = true;
        }

        /** JMH's own aggregate: the mean of every measured iteration, with its 99.9% half-width. */
        Score score() {
            return failed || iterations.getN() == 0 ? null
                    : new Score(iterations.getMean(), iterations.getMeanErrorAt(0.999), unit);
        }

        double[] forkMeans() {
            return forkMeans.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    /**
     * The 95% percentile-bootstrap interval of mean(with) / mean(without), resampling each side's forks with
     * replacement ({@code resamples} times, fixed seed so a result file can be recomputed), or null with fewer
     * than {@value #MIN_FORKS_FOR_INTERVAL} forks on a side.
     */
    static double[] ratioInterval(double[] without, double[] with, int resamples, long seed) {
        if (without.length < MIN_FORKS_FOR_INTERVAL || with.length < MIN_FORKS_FOR_INTERVAL) {
            return null;
        }
        Random random = new Random(seed);
        double[] ratios = new double[resamples];
        for (int i = 0; i < resamples; i++) {
            ratios[i] = resampledMean(with, random) / resampledMean(without, random);
        }
        Arrays.sort(ratios);
        return new double[] {ratios[(int) (resamples * 0.025)], ratios[(int) Math.ceil(resamples * 0.975) - 1]};
    }

    private static double resampledMean(double[] values, Random random) {
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            sum += values[random.nextInt(values.length)];
        }
        return sum / values.length;
    }

    private CompareRunner() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (UsageException e) {
            System.err.println("lockwatch-bench: " + e.getMessage());
            System.exit(2);
        }
    }

    static int run(String[] args) throws UsageException {
        List<String> includes = new ArrayList<>();
        boolean listOnly = false;
        boolean tick = false;
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                printHelp();
                return 0;
            } else if (arg.equals("-l") || arg.equals("--list")) {
                listOnly = true;
            } else if (arg.equals("--tick")) {
                tick = true;
            } else if (arg.startsWith("-D") && arg.length() > 2) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    System.setProperty(arg.substring(2), "true");
                } else {
                    System.setProperty(arg.substring(2, eq), arg.substring(eq + 1));
                }
            } else if (arg.startsWith("-")) {
                throw new UsageException("unknown option " + arg + " (try --help)");
            } else {
                try {
                    Pattern.compile(arg);
                } catch (PatternSyntaxException e) {
                    throw new UsageException("bad benchmark regex '" + arg + "': " + e.getDescription());
                }
                includes.add(arg);
            }
        }

        if (tick) {
            if (!includes.isEmpty()) {
                throw new UsageException("--tick runs WatchdogTickBenchmark only; drop " + includes);
            }
            return TickCostRunner.run(listOnly);
        }

        List<String> benchmarks = findBenchmarks(includes, List.of(TickCostRunner.INCLUDE));
        if (benchmarks.isEmpty()) {
            throw new UsageException("no benchmark matches " + includes
                    + " (use --list to see them; WatchdogTickBenchmark runs only with --tick)");
        }
        if (listOnly) {
            benchmarks.forEach(System.out::println);
            return 0;
        }

        Agent agent = Agent.fromProperties();
        Settings run = Settings.fromProperties();
        Path out = resultFile("results.md");

        int rounds = intProp("bench.rounds", 1, 1);
        String settings = run.describe(" per configuration" + (rounds > 1 ? " and round, " + rounds + " rounds (ABBA)" : ""));
        System.out.println("lockwatch-bench: " + benchmarks.size() + " benchmark(s), " + settings);
        System.out.println("lockwatch-bench: agent " + agent.source() + " (fork flag " + agent.flag() + ")");

        List<Row> rows = new ArrayList<>();
        int total = benchmarks.size() * 2 * rounds;
        int step = 0;
        boolean anyFailed = false;
        for (String benchmark : benchmarks) {
            Side[] sides = {new Side(), new Side()};
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k <= 1; k++) {
                    int withAgent = round % 2 == 0 ? k : 1 - k; // ABBA: drift weighs on both sides alike
                    step++;
                    System.out.printf(Locale.ROOT, "%n==> [%d/%d] %s, %s%n", step, total,
                            shortName(benchmark), withAgent == 1 ? "WITH agent" : "without agent");
                    ChainedOptionsBuilder options = run.options("^" + Pattern.quote(benchmark) + "$");
                    if (withAgent == 1) {
                        options.jvmArgsAppend(agent.flag());
                    } else {
                        options.jvmArgsAppend(); // also drop any annotation-level jvmArgsAppend
                    }
                    RunResult result = runOne(options.build(), benchmark);
                    if (result == null) {
                        sides[withAgent].fail();
                        anyFailed = true;
                    } else {
                        sides[withAgent].add(result);
                    }
                }
            }
            double[] without = sides[0].forkMeans();
            double[] with = sides[1].forkMeans();
            rows.add(new Row(shortName(benchmark), sides[0].score(), sides[1].score(),
                    Math.min(without.length, with.length), ratioInterval(without, with, 10_000, 1)));
        }

        String table = renderTable(rows);
        String report = "# Lockwatch agent overhead\n\n"
                + environment()
                + "- agent: " + agent.describe() + "\n"
                + "- settings: " + settings + ", mode AverageTime\n"
                + "- ratio = with agent / without agent; error = 99.9% confidence half-width over iterations;"
                + " interval = 95% bootstrap interval of the ratio over forks (shown from "
                + MIN_FORKS_FOR_INTERVAL + " forks a side)\n\n"
                + table;

        System.out.println();
        System.out.print(table);
        if (!write(out, report)) {
            anyFailed = true;
        }
        if (anyFailed) {
            System.err.println("lockwatch-bench: some runs FAILED (see the JMH output above)");
        }
        return anyFailed ? 1 : 0;
    }

    /** Runs one configuration of one benchmark; returns null (after reporting) if it failed. */
    private static RunResult runOne(Options options, String benchmark) {
        try {
            Collection<RunResult> results = new Runner(options).run();
            for (RunResult r : results) {
                if (r.getParams().getBenchmark().equals(benchmark)) {
                    return r;
                }
            }
            System.err.println("lockwatch-bench: no result for " + benchmark);
        } catch (RunnerException e) {
            System.err.println("lockwatch-bench: " + shortName(benchmark) + " failed: " + e.getMessage());
        }
        return null;
    }

    /** The JMH options and settings both runners share, read from the system properties. */
    record Settings(int warmup, int iterations, int forks, TimeValue time, TimeValue warmupTime,
                    List<String> forkJvmArgs, VerboseMode verbose) {

        static Settings fromProperties() throws UsageException {
            TimeValue time = timeProp("bench.time", "1s");
            List<String> forkJvmArgs = new ArrayList<>(HEAP_ARGS);
            forkJvmArgs.addAll(splitArgs(System.getProperty("bench.jvmArgs", "")));
            return new Settings(
                    intProp("bench.warmup", 3, 0),
                    intProp("bench.iterations", 5, 1),
                    intProp("bench.forks", 1, 1),
                    time,
                    isSet("bench.warmupTime") ? timeProp("bench.warmupTime", "1s") : time,
                    List.copyOf(forkJvmArgs),
                    verboseProp());
        }

        /**
         * AverageTime. The fork gets exactly {@link #forkJvmArgs}: this replaces the inherited host flags and the
         * @Fork annotation's jvmArgs, so configurations differ only by what the caller appends (the -javaagent
         * flag). The benchmark's own {@code @Threads}, {@code @Group} and {@code @OutputTimeUnit} are kept (JMH's
         * defaults: one thread, seconds), so a contended benchmark runs its 4 threads and a workload of half a
         * second reports milliseconds; callers that need one thread or one unit set them on the builder.
         */
        ChainedOptionsBuilder options(String include) {
            return new OptionsBuilder()
                    .include(include)
                    .mode(Mode.AverageTime)
                    .warmupIterations(warmup)
                    .warmupTime(warmupTime)
                    .measurementIterations(iterations)
                    .measurementTime(time)
                    .forks(forks)
                    .shouldFailOnError(true)
                    .verbosity(verbose)
                    .jvmArgs(forkJvmArgs.toArray(new String[0]));
        }

        /** For example "warmup 3 x 1 s, measurement 5 x 1 s, forks 1 per configuration, fork JVM args ...". */
        String describe(String forksOf) {
            return String.format(Locale.ROOT,
                    "warmup %d x %s, measurement %d x %s, forks %d%s, fork JVM args %s",
                    warmup, warmupTime, iterations, time, forks, forksOf, String.join(" ", forkJvmArgs));
        }
    }

    /** The agent jar (as configured, and the private copy the forks use) and its -javaagent flag. */
    record Agent(Path source, String flag, String options, String sha256) {

        static Agent fromProperties() throws UsageException {
            Path source = resolveAgentJar();
            Path copy = snapshot(source);
            String options = System.getProperty("lockwatch.agentOptions", "");
            return new Agent(source, "-javaagent:" + copy + (options.isEmpty() ? "" : "=" + options), options,
                    sha256(copy));
        }

        /**
         * The jar's path, options and checksum: the agent may be built from another tree than the benchmarks, so
         * the commit in the header alone does not say which agent a table measured.
         */
        String describe() {
            return "`" + source + "`" + (options.isEmpty() ? "" : " with options `" + options + "`")
                    + " (sha256 " + sha256.substring(0, 12) + ")";
        }

        private static String sha256(Path jar) throws UsageException {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(jar));
                return HexFormat.of().formatHex(digest);
            } catch (IOException | NoSuchAlgorithmException e) {
                throw new UsageException("could not read the agent jar " + jar + ": " + e);
            }
        }
    }

    /** The commit, date, JVM and CPU lines that open a result file. */
    static String environment() {
        String commit = System.getProperty("bench.commit", "").trim();
        return "- commit: " + (commit.isEmpty() ? "unknown (run through scripts/bench.sh to record it)" : commit) + "\n"
                + "- date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "\n"
                + "- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version")
                + ", " + Runtime.getRuntime().availableProcessors() + " CPUs\n";
    }

    /** Writes a result file; false (after one line on stderr) if that failed. */
    static boolean write(Path out, String report) {
        try {
            Path dir = out.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Files.writeString(out, report, StandardCharsets.UTF_8);
            System.out.println("\nlockwatch-bench: table written to " + out);
            return true;
        } catch (IOException e) {
            System.err.println("lockwatch-bench: could not write " + out + ": " + e);
            return false;
        }
    }

    static List<String> findBenchmarks(List<String> includes, List<String> excludes) {
        OutputFormat quiet = OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT);
        SortedSet<BenchmarkListEntry> entries = BenchmarkList.defaultList()
                .find(quiet, includes.isEmpty() ? List.of(".*") : includes, excludes);
        List<String> names = new ArrayList<>();
        for (BenchmarkListEntry e : entries) {
            if (!names.contains(e.getUsername())) {
                names.add(e.getUsername());
            }
        }
        return names;
    }

    static Path resolveAgentJar() throws UsageException {
        String configured = System.getProperty("lockwatch.agentJar", DEFAULT_AGENT_JAR);
        Path jar = Paths.get(configured).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new UsageException("agent jar not found: " + jar
                    + " (build it with 'mvn -q -B -DskipTests package' from the repo root, or set -Dlockwatch.agentJar=PATH)");
        }
        return jar;
    }

    /**
     * Copies the agent jar to a private temp directory (same file name) so that every fork of this
     * comparison uses one and the same build, even if agent/target is rebuilt while it runs.
     */
    static Path snapshot(Path agentJar) throws UsageException {
        try {
            Path dir = Files.createTempDirectory("lockwatch-bench-agent");
            Path copy = dir.resolve(agentJar.getFileName());
            dir.toFile().deleteOnExit(); // deleted in reverse order: the copy first, then dir
            copy.toFile().deleteOnExit();
            Files.copy(agentJar, copy);
            try (JarFile jar = new JarFile(copy.toFile())) {
                Manifest mf = jar.getManifest();
                if (mf == null || mf.getMainAttributes().getValue("Premain-Class") == null) {
                    throw new UsageException("not a Java agent (no Premain-Class in its manifest): " + agentJar);
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UsageException("could not read the agent jar " + agentJar + ": " + e);
        }
    }

    static String renderTable(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| benchmark | without agent (± error) | with agent (± error) | ratio | 95% interval (forks a side) |\n");
        sb.append("|---|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            sb.append("| ").append(row.benchmark())
                    .append(" | ").append(formatScoreWithUnit(row.without()))
                    .append(" | ").append(formatScoreWithUnit(row.with()))
                    .append(" | ").append(formatRatio(row.without(), row.with()))
                    .append(" | ").append(row.interval() == null ? "n/a" : String.format(Locale.ROOT, "[%.2f, %.2f] (%d)",
                            row.interval()[0], row.interval()[1], row.forks()))
                    .append(" |\n");
        }
        return sb.toString();
    }

    static String formatScore(Score s) {
        if (s == null) {
            return "FAILED";
        }
        String error = Double.isNaN(s.error()) || Double.isInfinite(s.error())
                ? "n/a" : format(s.error());
        return format(s.score()) + " ± " + error;
    }

    /** {@link #formatScore} followed by JMH's unit, e.g. "13.05 ± 0.65 ns/op": benchmarks differ in unit. */
    static String formatScoreWithUnit(Score s) {
        return s == null || s.unit() == null ? formatScore(s) : formatScore(s) + " " + s.unit();
    }

    static String formatRatio(Score without, Score with) {
        if (without == null || with == null || !(without.score() > 0)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2fx", with.score() / without.score());
    }

    static String format(double v) {
        return Math.abs(v) >= 1000
                ? String.format(Locale.ROOT, "%,.0f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    static String shortName(String benchmark) {
        return benchmark.startsWith(PACKAGE_PREFIX) ? benchmark.substring(PACKAGE_PREFIX.length()) : benchmark;
    }

    static boolean isSet(String name) {
        String v = System.getProperty(name);
        return v != null && !v.isBlank();
    }

    static int intProp(String name, int def, int min) throws UsageException {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min) {
                throw new UsageException(name + " must be >= " + min + ", got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be an integer, got '" + v + "'");
        }
    }

    static TimeValue timeProp(String name, String def) throws UsageException {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            v = def;
        }
        try {
            TimeValue t = TimeValue.fromString(v.trim());
            if (t.getTime() <= 0) {
                throw new UsageException(name + " must be positive, got '" + v + "'");
            }
            return t;
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + " must be a duration like 1s or 200ms, got '" + v + "'");
        }
    }

    static VerboseMode verboseProp() throws UsageException {
        String v = System.getProperty("bench.verbose", "normal").trim().toUpperCase(Locale.ROOT);
        try {
            return VerboseMode.valueOf(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bench.verbose must be silent, normal or extra, got '" + v + "'");
        }
    }

    static List<String> splitArgs(String s) {
        String trimmed = s.trim();
        return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
    }

    /** bench.out, else {@code fileName} beside the jar (benchmarks/target/), else under benchmarks/target. */
    static Path resultFile(String fileName) {
        String configured = System.getProperty("bench.out");
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        try {
            CodeSource cs = CompareRunner.class.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null) {
                Path loc = Paths.get(cs.getLocation().toURI());
                // the shaded jar sits in benchmarks/target; classes dir is benchmarks/target/classes
                Path parent = loc.toAbsolutePath().getParent();
                if (parent != null) {
                    return parent.resolve(fileName);
                }
            }
        } catch (URISyntaxException | RuntimeException ignored) {
            // fall through to the default below
        }
        return Paths.get("benchmarks", "target", fileName);
    }

    private static void printHelp() {
        System.out.println(String.join("\n",
                "usage: java [-Dopt=value ...] -jar benchmarks/target/lockwatch-benchmarks.jar [-Dopt=value ...] [REGEX ...]",
                "       scripts/bench.sh [--rebuild] [-Dopt=value ...] [REGEX ...]",
                "Runs each matching JMH benchmark without and then with -javaagent:<lockwatch.agentJar>",
                "and prints a Markdown table of ns/op and the with/without ratio.",
                "  REGEX                      include pattern(s), JMH find() semantics; default: all",
                "  -l, --list                 list matching benchmarks",
                "  --tick                     instead: the cost of one watchdog tick (WatchdogTickBenchmark),",
                "                             with the agent only; writes benchmarks/target/tick-cost.md",
                "  -Dbench.tickThreads=N,..   with --tick: live threads (default 1000)",
                "  -Dbench.tickWaiting=N,..   with --tick: how many of them wait for a lock (default 0,10)",
                "  -Dlockwatch.agentJar=PATH  default " + DEFAULT_AGENT_JAR + " (relative to the working dir)",
                "  -Dlockwatch.agentOptions=S appended as -javaagent:PATH=S",
                "  -Dbench.warmup=N           warmup iterations (default 3)",
                "  -Dbench.iterations=N       measurement iterations (default 5)",
                "  -Dbench.forks=N            forks per configuration and round (default 1)",
                "  -Dbench.rounds=N           rounds (default 1), alternating the order of the two configurations",
                "  -Dbench.time=T             iteration time, e.g. 1s, 200ms (default 1s)",
                "  -Dbench.warmupTime=T       warmup iteration time (default bench.time)",
                "  -Dbench.jvmArgs=\"A B\"      extra JVM args for both forks",
                "  -Dbench.verbose=MODE       silent | normal | extra (default normal)",
                "  -Dbench.out=PATH           result file (default benchmarks/target/results.md)",
                "  -Dbench.commit=ID          commit named in the result file (scripts/bench.sh sets it)"));
    }
}
