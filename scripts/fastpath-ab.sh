#!/usr/bin/env bash
# The lock fast path, rewritten call sites against the same code the agent leaves alone, in one JVM with the agent
# (benchmarks/fastpath-ab/fastpath/AB.java says why): robust against the load of other processes, unlike two forks.
# usage: scripts/fastpath-ab.sh [AGENT_JAR] [AGENT_OPTIONS] [ROUNDS]
#   e.g. scripts/fastpath-ab.sh agent/target/lockwatch-agent.jar lockOrder=on 20
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jar=${1:-agent/target/lockwatch-agent.jar}
options=${2:-}
rounds=${3:-20}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -d "$out" $(find benchmarks/fastpath-ab -name '*.java')
exec java -Xms1g -Xmx1g -XX:CompileCommand=quiet '-XX:CompileCommand=dontinline,*Loops::op*' \
  "-javaagent:$jar${options:+=$options}" -cp "$out" fastpath.AB "$rounds"
