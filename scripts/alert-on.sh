#!/usr/bin/env bash
# Follows a Lockwatch log file (like tail -F: it may not exist yet, and may be rolled) and exits on the first
# DEADLOCK, STARVATION or HANG event, printing its line. For smoke tests in staging and CI:
#
#   scripts/alert-on.sh [--timeout SECONDS] <log file>
#
# Exit codes: 1 an event was found (its line is on stdout); 0 the timeout passed without one; 2 bad usage.
# Without --timeout it follows the file until an event comes.
#
# Only event lines match, in either built-in format (format=text or format=json):
#   text: <yyyy-MM-dd HH:mm:ss.SSS> [lockwatch] ERROR DEADLOCK: ...   (at the very start of the line)
#   json: {"timestamp":...,"level":"ERROR",...,"kvpList": [{"kind":"DEADLOCK"},...
# Application text cannot forge either: Lockwatch escapes the line breaks in thread names and other names, so
# it never starts a line; inside a JSON string every quote is escaped, so [{"kind":" only occurs as structure.
set -uo pipefail

usage() {
  echo "usage: alert-on.sh [--timeout SECONDS] <log file>" >&2
  exit 2
}

timeout=""
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout)
      [ $# -ge 2 ] || usage
      timeout="$2"
      [[ "$timeout" =~ ^[0-9]+$ ]] || { echo "alert-on.sh: --timeout needs whole seconds, not '$timeout'" >&2; exit 2; }
      shift 2
      ;;
    -h|--help)
      usage
      ;;
    --)
      shift
      break
      ;;
    -*)
      echo "alert-on.sh: unknown option '$1'" >&2
      usage
      ;;
    *)
      break
      ;;
  esac
done
[ $# -eq 1 ] || usage
file="$1"

text_event='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} \[lockwatch\] ERROR (DEADLOCK|STARVATION|HANG): '
json_event='^\{.*"kvpList": ?\[\{"kind":"(DEADLOCK|STARVATION|HANG)"\}'

# tail -F: follows the name, so a file created later or rolled over is picked up; -n +1: from its first line.
exec 3< <(exec tail -F -n +1 -- "$file" 2>/dev/null)
tail_pid=$!
trap 'kill "$tail_pid" 2>/dev/null' EXIT

deadline=""
if [ -n "$timeout" ]; then
  deadline=$((SECONDS + timeout))
fi
partial=""
while true; do
  if [ -n "$deadline" ]; then
    left=$((deadline - SECONDS))
    if [ "$left" -le 0 ]; then
      exit 0
    fi
    IFS= read -r -t "$left" line <&3
  else
    IFS= read -r line <&3
  fi
  status=$?
  if [ "$status" -gt 128 ]; then # timed out; a partial line read so far is kept for the next read
    partial="$partial$line"
    continue
  fi
  if [ "$status" -ne 0 ] && [ -z "$line" ]; then
    exit 0 # tail ended (cannot happen with -F unless killed)
  fi
  line="$partial$line"
  partial=""
  if [[ "$line" =~ $text_event ]] || [[ "$line" =~ $json_event ]]; then
    printf '%s\n' "$line"
    exit 1
  fi
done
