#!/usr/bin/env bash
# Starts Lockwatch in a running JVM: scripts/attach.sh <pid> [key=value,...]   (scripts/attach.sh list: the JVMs)
set -euo pipefail
cd "$(dirname "$0")/.."
agent=agent/target/lockwatch-agent.jar
if [ ! -f "$agent" ]; then
  echo "attach.sh: building the agent (mvn -q -DskipTests package) ..." >&2
  mvn -q -B -ntp -DskipTests package
fi
if [ "${1:-}" = "list" ]; then
  exec java -jar "$agent" list
fi
if [ $# -lt 1 ]; then
  echo "usage: scripts/attach.sh <pid> [key=value,...] | list" >&2
  exit 2
fi
exec java -jar "$agent" attach "$@"
