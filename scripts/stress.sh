#!/usr/bin/env bash
# The stress suite (not run by CI): each load in a JVM of its own with the agent, each printing one line with its
# figures (how long it took, the watchdog's CPU per check while it ran, the heap still used after it ended and a
# GC). Builds the agent and the test classes first if they are missing.
#   scripts/stress.sh [load ...]      loads: threads virtual locks classes oom (default: all)
# JAVA (default: java on the PATH) runs every load but 'virtual', which needs JDK 21+: JAVA21 (default: the first
# of $JAVA and /usr/lib/jvm/temurin-25-jdk-amd64/bin/java that is 21 or newer). STRESS_INTERVAL (default 1s) is the
# agent's interval. STRESS_CHECKS (default 20) is how many checks the 'threads' load measures once every thread
# waits, after STRESS_WARMUP (default 10) checks that it does not count (the watchdog's loops are still in the JIT's
# profiling tier for the first few checks), STRESS_THREADS (default 20000) how many threads it starts. STRESS_BASELINE=1 runs each load once more without the agent, for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."

agent=agent/target/lockwatch-agent.jar
classes=agent/target/test-classes
java=${JAVA:-java}
interval=${STRESS_INTERVAL:-1s}
checks=${STRESS_CHECKS:-20}
warmup=${STRESS_WARMUP:-10}
waiters=${STRESS_THREADS:-20000}

if [ ! -f "$agent" ] || [ ! -f "$classes/dev/lockwatch/it/apps/StressApp.class" ]; then
  echo "stress.sh: building the agent and its test classes (mvn -q -DskipTests verify -pl agent -am) ..." >&2
  mvn -q -B -ntp -DskipTests verify -pl agent -am
fi

feature() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
java21=${JAVA21:-}
if [ -z "$java21" ]; then
  for j in "$java" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; do
    if command -v "$j" >/dev/null 2>&1 && [ "$(feature "$j")" -ge 21 ] 2>/dev/null; then java21=$j; break; fi
  done
fi

run() { # java heap load count
  local j=$1 heap=$2; shift 2
  "$j" "-Xmx$heap" "-Dstress.checks=$checks" "-Dstress.warmup=$warmup" "-javaagent:$agent=interval=$interval" -cp "$classes" dev.lockwatch.it.apps.StressApp "$@" \
    2>"agent/target/stress-$1.err" | grep '^stress ' || { echo "stress $1: FAILED (see agent/target/stress-$1.err)"; return 1; }
  grep -E '\[lockwatch\] (WARN|ERROR)' "agent/target/stress-$1.err" | grep -v 'DEADLOCK' | head -3 | sed 's/^/  agent: /' || true
  if [ "${STRESS_BASELINE:-0}" = 1 ]; then
    "$j" "-Xmx$heap" -Dstress.noAgent=true -cp "$classes" dev.lockwatch.it.apps.StressApp "$@" 2>/dev/null \
      | sed -n 's/^stress /  without the agent: /p'
  fi
}

loads=("$@")
[ ${#loads[@]} -eq 0 ] && loads=(threads virtual locks classes oom)
status=0
for load in "${loads[@]}"; do
  case $load in
    threads) run "$java" 1g threads "$waiters" || status=1 ;;
    virtual)
      if [ -n "$java21" ]; then run "$java21" 1g virtual 100000 || status=1
      else echo "stress virtual: skipped (no JDK 21+: set JAVA21)"; fi ;;
    locks) run "$java" 256m locks 10000000 || status=1 ;;
    classes) run "$java" 256m classes 50000 || status=1 ;;
    oom) run "$java" 32m oom 5000 || status=1 ;;
    *) echo "stress.sh: unknown load '$load' (threads virtual locks classes oom)" >&2; exit 2 ;;
  esac
done
exit $status
