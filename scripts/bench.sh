#!/usr/bin/env bash
# Lockwatch agent overhead benchmark: every JMH benchmark runs without and then with
# -javaagent:agent/target/lockwatch-agent.jar, and a Markdown table of ns/op and ratios is
# printed and written to benchmarks/target/results.md.
#
# usage: scripts/bench.sh [--rebuild] [-Dopt=value ...] [REGEX ...]
#   --rebuild   run 'mvn -q -B -DskipTests package' first even if both jars exist
#   --pin=CPUS  run everything (the runner and every fork) on these CPUs only, through taskset -c:
#               --pin=0 puts a pool's worker and its caller on one core, so a hand-off is two context
#               switches on that core instead of a cross-core wake-up. Mind that on one core each fork of a
#               round trip settles into a fast or a slow schedule, and ~100 ns more work in the caller
#               flips it (README, Overhead): use it to look at scheduling, not to judge the agent's cost
#   REGEX       benchmark include pattern(s), e.g. LockBenchmarks or 'reentrantLock$'
#   -Dbench.warmup=N -Dbench.iterations=N -Dbench.forks=N -Dbench.time=1s
#   -Dbench.rounds=N   repeat each comparison N times, alternating which side runs first (ABBA); from 3
#                      forks a side the table gives a 95% bootstrap interval of the ratio over forks
#   -Dlockwatch.agentJar=PATH   (see --help for the full list)
#   -Dlockwatch.agentOptions=S  agent options for the WITH forks, e.g. lockOrder=on
#   -Dbench.commit=ID  commit named in the result file (default: scripts/commit-id.sh, "-dirty" if changed)
# Extra options for the host JVM (not the forks) can be given in BENCH_JAVA_OPTS.
# Example: scripts/bench.sh -Dbench.warmup=1 -Dbench.iterations=3 -Dbench.time=500ms LockBenchmarks
# Watchdog tick cost (agent only, table in benchmarks/target/tick-cost.md): scripts/bench.sh --tick
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

rebuild=0
pin=()
agent_jar=agent/target/lockwatch-agent.jar
args=()
commit_given=0
for arg in "$@"; do
  case "$arg" in
    -Dbench.commit=*) commit_given=1; args+=("$arg") ;;
    --rebuild) rebuild=1 ;;
    --pin=*)
      command -v taskset >/dev/null || { echo "bench.sh: --pin needs taskset (util-linux), which is not installed" >&2; exit 2; }
      pin=(taskset -c "${arg#--pin=}") ;;
    -Dlockwatch.agentJar=*) agent_jar="${arg#-Dlockwatch.agentJar=}"; args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done

bench_jar=benchmarks/target/lockwatch-benchmarks.jar
if [[ $rebuild -eq 1 || ! -f "$bench_jar" || ! -f "$agent_jar" ]]; then
  echo "bench.sh: building (mvn -q -B -DskipTests package)" >&2
  mvn -q -B -DskipTests package
fi

# The result file names the commit; taken after the build, which changes no tracked file. A -Dbench.commit=
# given on the command line (bench-all.sh passes the one it took before building) wins.
if [[ $commit_given -eq 0 ]]; then
  args=("-Dbench.commit=$(scripts/commit-id.sh)" "${args[@]+"${args[@]}"}")
fi

# shellcheck disable=SC2086  # BENCH_JAVA_OPTS is intentionally word-split
exec "${pin[@]}" java ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" "${args[@]+"${args[@]}"}"
