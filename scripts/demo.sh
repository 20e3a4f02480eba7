#!/usr/bin/env bash
# Runs one demo scenario with the Lockwatch agent, building the jars first if they are missing.
#   scripts/demo.sh [scenario] [agent options]     e.g. scripts/demo.sh rw-cycle interval=250ms
#   scripts/demo.sh list                           the scenarios
# DEMO_SECONDS (default 4) is how long the demo runs before it exits.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario=${1:-lock-abba}
options=${2:-}
agent=agent/target/lockwatch-agent.jar
demo=demo-app/target/lockwatch-demo.jar

if [ ! -f "$agent" ] || [ ! -f "$demo" ]; then
  echo "demo.sh: building the agent and the demo (mvn -q -DskipTests package) ..." >&2
  mvn -q -B -ntp -DskipTests package
fi

if [ "$scenario" = "list" ]; then
  exec java -jar "$demo" list
fi
exec java "-javaagent:$agent${options:+=$options}" -jar "$demo" "$scenario" --seconds "${DEMO_SECONDS:-4}"
