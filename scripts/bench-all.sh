#!/usr/bin/env bash
# Every overhead table the README quotes, in one go: each part runs scripts/bench.sh (without and with the agent,
# side by side) with the settings the README states, writes its own file in benchmarks/target/, and at the end
# all of them are joined into benchmarks/target/bench-all.md (and printed), under a header naming the commit.
#
# usage: scripts/bench-all.sh [--quick] [--no-build] [--only=PART,...] [--agent-options=S] [--pin=CPUS] [-Dopt=value ...]
#
#   part             what                                               file (benchmarks/target/)
#   locks            LockBenchmarks, default agent options              results-locks.md
#   locks-lockorder  LockBenchmarks, agent option lockOrder=on          results-locks-lockorder.md
#   signals          SignalBenchmarks                                   results-signals.md
#   h2-lockorder     H2Workload (wall time), lockOrder=on               results-h2-lockorder.md
#   handoff          HandoffBenchmarks, ABBA rounds                     results-handoff.md
#   tick             the watchdog's tick cost (bench.sh --tick)         tick-cost.md
#
#   --quick            a smoke run: 1 warm-up and 2 measured iterations of 200 ms, 1 fork, 1 round for every part
#                      (bench-all.md then says so); for checking the scripts, not for numbers
#   --no-build         use the jars as they are (default: 'mvn -q -B -DskipTests package' first, so that the
#                      jars are those of the commit in the header)
#   --only=P,...       run only these parts
#   --agent-options=S  agent options for every part (the lockOrder parts get S,lockOrder=on)
#   --pin=CPUS         passed to bench.sh (see there)
#   -Dopt=value        passed to every part after its own settings, so it wins (e.g. -Dlockwatch.agentJar=PATH,
#                      -Dbench.rounds=4); not -Dlockwatch.agentOptions (use --agent-options), -Dbench.out or
#                      -Dbench.commit (set per part)
#
# The JVM is 'java' on the PATH, e.g. JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 PATH=$JAVA_HOME/bin:$PATH.
# Exit status: 0 if every part succeeded, 1 if any failed (the others still run), 2 on bad usage.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

all_parts=(locks locks-lockorder signals h2-lockorder handoff tick)
quick=0
build=1
only=""
agent_options=""
pass=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --only=*) only="${arg#--only=}" ;;
    --agent-options=*) agent_options="${arg#--agent-options=}" ;;
    --pin=*) pass+=("$arg") ;;
    -Dlockwatch.agentOptions=*)
      echo "bench-all.sh: use --agent-options=S (the lockOrder parts add lockOrder=on to it)" >&2; exit 2 ;;
    -Dbench.out=*|-Dbench.commit=*)
      echo "bench-all.sh: ${arg%%=*} is set per part by this script" >&2; exit 2 ;;
    -D*) pass+=("$arg") ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-all.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

parts=("${all_parts[@]}")
if [[ -n "$only" ]]; then
  IFS=, read -r -a parts <<<"$only"
  for p in "${parts[@]}"; do
    [[ " ${all_parts[*]} " == *" $p "* ]] || { echo "bench-all.sh: unknown part '$p' (parts: ${all_parts[*]})" >&2; exit 2; }
  done
fi

# Taken before the build, which writes only ignored files.
commit=$(scripts/commit-id.sh)
if [[ $build -eq 1 ]]; then
  echo "bench-all.sh: building (mvn -q -B -DskipTests package)" >&2
  mvn -q -B -DskipTests package
fi

with_lock_order=lockOrder=on
[[ -n "$agent_options" ]] && with_lock_order="$agent_options,lockOrder=on"

# The README's settings per part. Round trips between threads (signals, hand-offs) and the H2 workload vary from
# fork to fork, so they run in ABBA rounds of one fork a side, which also gives the ratio's bootstrap interval.
settings_for() {
  case "$1" in
    locks|locks-lockorder) echo "-Dbench.warmup=3 -Dbench.iterations=5 -Dbench.time=1s -Dbench.forks=2" ;;
    signals) echo "-Dbench.warmup=2 -Dbench.iterations=4 -Dbench.time=1s -Dbench.rounds=6" ;;
    # H2: 8 warm-up iterations, because the first 3 to 5 operations of a fork are still the JIT compiling H2's
    # rewritten classes (about 1.0 to 1.3 s a first operation with lockOrder=on, 0.6 to 0.7 s without the agent,
    # against 160 to 170 ms once warm); the README gives that warm-up cost in a table of its own.
    h2-lockorder) echo "-Dbench.warmup=8 -Dbench.iterations=5 -Dbench.time=1s -Dbench.rounds=4" ;;
    handoff) echo "-Dbench.warmup=2 -Dbench.iterations=4 -Dbench.time=1s -Dbench.rounds=10" ;;
    tick) echo "-Dbench.warmup=3 -Dbench.iterations=5 -Dbench.time=1s -Dbench.forks=2" ;;
  esac
}
quick_settings="-Dbench.warmup=1 -Dbench.iterations=2 -Dbench.time=200ms -Dbench.forks=1 -Dbench.rounds=1"

file_for() {
  case "$1" in
    tick) echo benchmarks/target/tick-cost.md ;;
    *) echo "benchmarks/target/results-$1.md" ;;
  esac
}

title_for() {
  case "$1" in
    locks) echo "Lock fast path (default agent options)" ;;
    locks-lockorder) echo "Lock fast path with lockOrder=on" ;;
    signals) echo "Signals: latches, conditions, semaphores, completed futures" ;;
    h2-lockorder) echo "H2 workload (wall time) with lockOrder=on" ;;
    handoff) echo "Hand-offs to a pool" ;;
    tick) echo "Watchdog tick cost" ;;
  esac
}

failed=()
for part in "${parts[@]}"; do
  out=$(file_for "$part")
  rm -f "$out"
  # shellcheck disable=SC2207  # the settings are single words
  args=($(if [[ $quick -eq 1 ]]; then echo "$quick_settings"; else settings_for "$part"; fi))
  args+=("${pass[@]+"${pass[@]}"}" "-Dbench.commit=$commit" "-Dbench.out=$out")
  case "$part" in
    locks) target=(LockBenchmarks); [[ -n "$agent_options" ]] && args+=("-Dlockwatch.agentOptions=$agent_options") ;;
    locks-lockorder) target=(LockBenchmarks); args+=("-Dlockwatch.agentOptions=$with_lock_order") ;;
    signals) target=(SignalBenchmarks); [[ -n "$agent_options" ]] && args+=("-Dlockwatch.agentOptions=$agent_options") ;;
    h2-lockorder) target=(H2Workload); args+=("-Dlockwatch.agentOptions=$with_lock_order") ;;
    handoff) target=(HandoffBenchmarks); [[ -n "$agent_options" ]] && args+=("-Dlockwatch.agentOptions=$agent_options") ;;
    tick) target=(--tick); [[ -n "$agent_options" ]] && args+=("-Dlockwatch.agentOptions=$agent_options") ;;
  esac
  echo "bench-all.sh: === $part: $(title_for "$part") ===" >&2
  if ! scripts/bench.sh "${args[@]}" "${target[@]}"; then
    failed+=("$part")
  fi
done

summary=benchmarks/target/bench-all.md
{
  echo "# Lockwatch overhead, all parts"
  echo
  echo "- commit: $commit"
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- java: $(java -version 2>&1 | head -n 2 | tail -n 1)"
  if [[ $quick -eq 1 ]]; then
    echo "- **smoke run** (--quick: $quick_settings): checks that the scripts work; not numbers to quote"
  fi
  [[ ${#pass[@]} -gt 0 ]] && echo "- extra options for every part: ${pass[*]}"
  [[ ${#failed[@]} -gt 0 ]] && echo "- FAILED parts: ${failed[*]}"
  for part in "${parts[@]}"; do
    out=$(file_for "$part")
    echo
    echo "## $(title_for "$part")"
    echo
    if [[ -f "$out" ]]; then
      sed '1{/^# /d}' "$out" | sed '1{/^$/d}'
    else
      echo "(no result: the part failed, see its output)"
    fi
  done
} >"$summary"

echo
cat "$summary"
echo
echo "bench-all.sh: written to $summary" >&2
[[ ${#failed[@]} -eq 0 ]]
