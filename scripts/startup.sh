#!/usr/bin/env bash
# Lockwatch start-up cost: the same JVM launched without and with -javaagent, side by side, medians of N runs in
# alternating order (ABBA), one Markdown table per part, printed and written to benchmarks/target/startup.md under
# a header naming the commit.
#
# usage: scripts/startup.sh [--runs=N] [--agent=PATH] [--java=PATH] [--agent-options=S] [--parts=P,...]
#                           [--attach-runs=N] [--attach-classes=N] [--out=PATH] [--rebuild]
#
#   parts (default hello,jetty,attach):
#   hello   a hello world (startup-apps/target/*-hello.jar): wall time, CPU time (user+sys), peak RSS, classes
#           loaded before main and in total (-Xlog:class+load), classes from the default CDS archive
#           (-Xshare:auto), lines the agent adds to the output (JVM warnings first); then an AppCDS archive of it
#           (-XX:ArchiveClassesAtExit) and whether, with -Xshare:on, its class still comes from that archive
#   jetty   an embedded Jetty 12 with one servlet (startup-apps/target/startup-jetty.jar): time from launch to the
#           first 200 response (the port is polled every 5 ms through bash's /dev/tcp, so polling starts no
#           process), and the JVM's CPU time and peak RSS at that moment; target at most 1.05x
#   attach  a JVM with --attach-classes loaded classes (AttachTarget) and -Xlog:safepoint, attached with
#           'java -jar AGENT attach PID': safepoints summed over the attach window (the attach command, then 1 s),
#           and the stalls a thread in it that sleeps 1 ms at a time saw; 2 s before the attach as a baseline
#
#   --runs=N            runs per side (default 10), after one discarded warm-up run a side
#   --agent=PATH        agent jar (default agent/target/lockwatch-agent.jar); copied once at start, so a rebuild
#                       during the run cannot mix two builds
#   --java=PATH         the java binary (default: java on the PATH), e.g.
#                       JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 PATH=$JAVA_HOME/bin:$PATH scripts/startup.sh
#   --agent-options=S   appended as -javaagent:AGENT=S, and passed to the attach command
#   --attach-runs=N     attaches (default 3), a new target JVM each, median reported
#   --attach-classes=N  classes the attach target loads first (default 5000)
#   --out=PATH          result file (default benchmarks/target/startup.md)
#   --rebuild           run 'mvn -q -B -DskipTests package' first even if the jars exist
# Needs GNU time (/usr/bin/time) for the hello world's CPU time and RSS.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=10
agent=agent/target/lockwatch-agent.jar
java_bin=java
agent_options=""
parts=hello,jetty,attach
attach_runs=3
attach_classes=5000
out=benchmarks/target/startup.md
rebuild=0
for arg in "$@"; do
  case "$arg" in
    --runs=*) runs="${arg#*=}" ;;
    --agent=*) agent="${arg#*=}" ;;
    --java=*) java_bin="${arg#*=}" ;;
    --agent-options=*) agent_options="${arg#*=}" ;;
    --parts=*) parts="${arg#*=}" ;;
    --attach-runs=*) attach_runs="${arg#*=}" ;;
    --attach-classes=*) attach_classes="${arg#*=}" ;;
    --out=*) out="${arg#*=}" ;;
    --rebuild) rebuild=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "startup.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
for n in "$runs" "$attach_runs" "$attach_classes"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "startup.sh: '$n' is not a positive number" >&2; exit 2; }
done
for p in ${parts//,/ }; do
  [[ " hello jetty attach " == *" $p "* ]] || { echo "startup.sh: unknown part '$p' (hello, jetty, attach)" >&2; exit 2; }
done
has_part() { [[ ",$parts," == *",$1,"* ]]; }

die() { echo "startup.sh: $*" >&2; exit 1; }

commit=$(scripts/commit-id.sh)
hello_jar=$(ls startup-apps/target/lockwatch-startup-apps-*-hello.jar 2>/dev/null | head -n 1 || true)
jetty_jar=startup-apps/target/startup-jetty.jar
if [[ $rebuild -eq 1 || -z "$hello_jar" || ! -f "$jetty_jar" || ! -f "$agent" ]]; then
  echo "startup.sh: building (mvn -q -B -DskipTests package)" >&2
  mvn -q -B -DskipTests package
  hello_jar=$(ls startup-apps/target/lockwatch-startup-apps-*-hello.jar | head -n 1)
fi
[[ -f "$agent" ]] || die "agent jar not found: $agent"
command -v "$java_bin" >/dev/null || die "no java binary '$java_bin'"
if has_part hello; then
  [[ -x /usr/bin/time ]] || die "the hello part needs GNU time (/usr/bin/time)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lockwatch-startup.XXXXXX")
target_pid=""
cleanup() {
  if [[ -n "$target_pid" ]]; then kill "$target_pid" 2>/dev/null || true; fi
  if [[ -n "${STARTUP_KEEP_WORK:-}" ]]; then echo "startup.sh: work files kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

agent_copy="$work/$(basename "$agent")"
cp "$agent" "$agent_copy"
agent_sha=$(sha256sum "$agent_copy" | cut -c1-12)
agent_flag="-javaagent:$agent_copy${agent_options:+=$agent_options}"
java_version=$("$java_bin" -version 2>&1 | sed -n 2p)

# A sleep without starting a process: read with a timeout from a FIFO nobody writes to.
mkfifo "$work/nap"
exec {nap_fd}<>"$work/nap"
nap() { read -r -t "$1" -u "$nap_fd" _ || true; }

now_us() { now=${EPOCHREALTIME//[.,]/}; }  # sets $now, microseconds, without a subshell

median() { # median of the numbers in file $1, or n/a
  sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
fmt() { awk -v v="$1" -v d="${2:-0}" 'BEGIN { if (v == "n/a") print v; else printf "%.*f\n", d, v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || a <= 0) print "n/a"; else printf "%.2fx\n", b / a }'; }
diff_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else printf "%+.0f\n", b - a }'; }

# flags_for SIDE: sets the array $flags to the agent flag (with) or nothing (without).
flags_for() { if [[ $1 == with ]]; then flags=("$agent_flag"); else flags=(); fi; }
# order I: the two sides in ABBA order for run I.
order() { if (( $1 % 2 )); then echo "with without"; else echo "without with"; fi; }

# Lines of file $2 (with agent) not in file $1 (without), timestamps of the agent's log lines removed.
normalize() { sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.,]+ //' "$1" | sort -u; }
added_lines() { comm -13 <(normalize "$1") <(normalize "$2"); }
removed_lines() { comm -23 <(normalize "$1") <(normalize "$2"); }
# A JVM warning or error line ("OpenJDK 64-Bit Server VM warning: ...", "WARNING: ...", "[error][cds] ..."); case
# matters, so that the agent's "transformation errors=0" is not one.
problem='[Ww]arning|WARNING|\[error\]|^Error|Exception'
# Markdown list of lines, warnings and errors first, at most 10.
line_list() {
  local f=$1
  if [[ ! -s "$f" ]]; then echo "  - (none)"; return; fi
  { grep -E "$problem" "$f" || true; grep -vE "$problem" "$f" || true; } | head -n 10 | sed 's/`/'"'"'/g; s/^/  - `/; s/$/`/'
  local n; n=$(wc -l <"$f")
  (( n > 10 )) && echo "  - ... and $((n - 10)) more"
  return 0
}

report="$work/report.md"
{
  echo "# Lockwatch start-up cost"
  echo
  echo "- commit: $commit"
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- java: \`$java_bin\`, $java_version, $(nproc) CPUs"
  echo "- agent: \`$agent\` (sha256 $agent_sha)${agent_options:+ with options \`$agent_options\`}"
  echo "- runs: $runs per side (medians), after one warm-up run a side, sides in alternating order"
} >"$report"

# ---------------------------------------------------------------------------------------------------------------
hello_part() {
  local main=dev.lockwatch.startup.Hello side i t0 u s m rc
  echo "startup.sh: hello world, $runs runs a side" >&2
  for i in $(seq 0 "$runs"); do
    for side in $(order "$i"); do
      flags_for "$side"
      now_us; t0=$now
      rc=0
      /usr/bin/time -f '%U %S %M' -o "$work/time" "$java_bin" "${flags[@]+"${flags[@]}"}" -cp "$hello_jar" "$main" \
        >"$work/hello.out" 2>&1 || rc=$?
      now_us
      [[ $rc -eq 0 ]] || { cat "$work/hello.out" >&2; die "hello world $side the agent exited with $rc"; }
      cat "$work/hello.out" >>"$work/hello-$side.lines"
      [[ $i -eq 0 ]] && continue # warm-up: file cache, CDS archive mapped once
      echo $(( (now - t0) / 1000 )) >>"$work/hello-$side.wall"
      read -r u s m < <(tail -n 1 "$work/time")
      awk -v u="$u" -v s="$s" 'BEGIN { print (u + s) * 1000 }' >>"$work/hello-$side.cpu"
      awk -v m="$m" 'BEGIN { print m / 1024 }' >>"$work/hello-$side.rss"
    done
  done

  # Class loading, in runs of their own (logging every class costs time): 3 runs a side, medians.
  local log before
  for i in 1 2 3; do
    for side in $(order "$i"); do
      flags_for "$side"
      log="$work/classes-$side-$i.log"
      "$java_bin" "${flags[@]+"${flags[@]}"}" -Xshare:auto "-Xlog:class+load=info:file=$log" -cp "$hello_jar" "$main" \
        >/dev/null 2>&1 || die "hello world with -Xlog:class+load failed ($side the agent)"
      before=$(grep -n " $main source:" "$log" | head -n 1 | cut -d: -f1)
      [[ -n "$before" ]] || die "no load of $main in $log"
      echo $((before - 1)) >>"$work/hello-$side.before"
      grep -c '' "$log" >>"$work/hello-$side.total"
      grep -c 'source: shared objects file' "$log" >>"$work/hello-$side.shared" || true
      grep -c 'source: jrt:/' "$log" >>"$work/hello-$side.jrt" || true
    done
  done

  # AppCDS: an archive of the hello world made without the agent, then used with -Xshare:on.
  local jsa="$work/hello.jsa" cds_without cds_with
  if "$java_bin" "-XX:ArchiveClassesAtExit=$jsa" -cp "$hello_jar" "$main" >"$work/cds-dump.out" 2>&1 && [[ -f "$jsa" ]]; then
    for side in without with; do
      flags_for "$side"
      log="$work/cds-$side.log"
      rc=0
      "$java_bin" "${flags[@]+"${flags[@]}"}" "-XX:SharedArchiveFile=$jsa" -Xshare:on "-Xlog:class+load=info:file=$log" \
        -cp "$hello_jar" "$main" >"$work/cds-$side.out" 2>&1 || rc=$?
      if [[ $rc -ne 0 ]]; then
        printf -v "cds_$side" 'JVM failed (exit %d): %s' "$rc" "$(grep -m 1 -i 'error\|warn' "$work/cds-$side.out" || true)"
      elif grep -q " $main source: shared objects file" "$log"; then
        printf -v "cds_$side" 'yes'
      else
        printf -v "cds_$side" 'no (%s)' "$(grep -m 1 " $main source:" "$log" | sed 's/.* source: //')"
      fi
    done
  else
    cds_without="n/a (dump failed: $(head -n 1 "$work/cds-dump.out"))"
    cds_with="n/a"
  fi

  added_lines "$work/hello-without.lines" "$work/hello-with.lines" >"$work/hello.added"
  removed_lines "$work/hello-without.lines" "$work/hello-with.lines" >"$work/hello.removed"
  added_lines "$work/cds-without.out" "$work/cds-with.out" >"$work/cds.added" 2>/dev/null || : >"$work/cds.added"
  local warnings; warnings=$(grep -cE "$problem" "$work/hello.added" || true)

  local w0 w1 c0 c1 r0 r1
  w0=$(median "$work/hello-without.wall"); w1=$(median "$work/hello-with.wall")
  c0=$(median "$work/hello-without.cpu"); c1=$(median "$work/hello-with.cpu")
  r0=$(median "$work/hello-without.rss"); r1=$(median "$work/hello-with.rss")
  {
    echo
    echo "## Hello world"
    echo
    echo "\`$java_bin -cp $hello_jar $main\`, with \`-javaagent\` on the right. Class counts: median of 3 runs with"
    echo "\`-Xlog:class+load\` (\"before main\": loaded before \`$main\` itself); CDS: the JDK's default archive."
    echo
    echo "| measure | without agent | with agent | with / without | difference |"
    echo "|---|---:|---:|---:|---:|"
    echo "| wall time (ms) | $(fmt "$w0") | $(fmt "$w1") | $(ratio "$w0" "$w1") | $(diff_of "$w0" "$w1") |"
    echo "| CPU time, user + sys (ms) | $(fmt "$c0") | $(fmt "$c1") | $(ratio "$c0" "$c1") | $(diff_of "$c0" "$c1") |"
    echo "| peak RSS (MB) | $(fmt "$r0" 1) | $(fmt "$r1" 1) | $(ratio "$r0" "$r1") | $(diff_of "$r0" "$r1") |"
    local k label a b
    for k in before:"classes loaded before main" total:"classes loaded in total" \
             shared:"... of them from the CDS archive" jrt:"... of them from the JDK's modules file (jrt:/)"; do
      label=${k#*:}; a=$(median "$work/hello-without.${k%%:*}"); b=$(median "$work/hello-with.${k%%:*}")
      echo "| $label | $(fmt "$a") | $(fmt "$b") | $(ratio "$a" "$b") | $(diff_of "$a" "$b") |"
    done
    echo "| AppCDS archive of the hello world, -Xshare:on: \`$main\` from the archive | $cds_without | $cds_with | | |"
    a=$(grep -c 'source: shared objects file' "$work/cds-without.log" 2>/dev/null || true)
    b=$(grep -c 'source: shared objects file' "$work/cds-with.log" 2>/dev/null || true)
    echo "| ... classes from the archives in that run (JDK's and the hello world's) | ${a:-n/a} | ${b:-n/a} | $(ratio "${a:-n/a}" "${b:-n/a}") | $(diff_of "${a:-n/a}" "${b:-n/a}") |"
    echo "| warning or error lines only with the agent | | $warnings | | |"
    echo
    echo "- lines only with the agent (hello world, timestamps removed):"
    line_list "$work/hello.added"
    echo "- lines only without the agent:"
    line_list "$work/hello.removed"
    echo "- lines only with the agent, AppCDS run:"
    line_list "$work/cds.added"
  } >>"$report"
}

# ---------------------------------------------------------------------------------------------------------------
# http_ok PORT: true if GET / on 127.0.0.1:PORT answers 200. A refused connection fails the compound command's
# redirection, which fails the command without ending the script.
http_ok() {
  local status=""
  { printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 && IFS= read -r -t 2 status <&3; } \
    2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  [[ $status == "HTTP/1."[01]" 200"* ]]
}
# port_free PORT: true if nothing accepts connections on it. ("! { :; } 3<>..." would not do: bash does not negate
# the status of a command whose redirection failed.)
port_free() {
  if { : ; } 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1"; then return 1; fi
  return 0
}

jetty_part() {
  local side i port t0 pid stat cpu_ticks hwm clk
  clk=$(getconf CLK_TCK)
  echo "startup.sh: Jetty, $runs runs a side" >&2
  for i in $(seq 0 "$runs"); do
    for side in $(order "$i"); do
      flags_for "$side"
      port=$((20000 + RANDOM % 40000))
      until port_free "$port"; do port=$((20000 + RANDOM % 40000)); done
      now_us; t0=$now
      "$java_bin" "${flags[@]+"${flags[@]}"}" -jar "$jetty_jar" "$port" >"$work/jetty.out" 2>&1 &
      pid=$!; target_pid=$pid
      while ! http_ok "$port"; do
        kill -0 "$pid" 2>/dev/null || { cat "$work/jetty.out" >&2; die "Jetty ($side the agent) exited before answering"; }
        now_us
        (( now - t0 < 60000000 )) || die "Jetty ($side the agent) did not answer 200 within 60 s"
        nap 0.005
      done
      now_us
      # CPU time of all its threads (utime + stime, fields 14 and 15) and peak RSS, at the first response.
      read -r -a stat <"/proc/$pid/stat"
      cpu_ticks=$(( stat[13] + stat[14] ))
      hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
      kill "$pid"; wait "$pid" 2>/dev/null || true; target_pid=""
      cat "$work/jetty.out" >>"$work/jetty-$side.lines"
      [[ $i -eq 0 ]] && continue
      echo $(( (now - t0) / 1000 )) >>"$work/jetty-$side.wall"
      echo $(( cpu_ticks * 1000 / clk )) >>"$work/jetty-$side.cpu"
      awk -v k="$hwm" 'BEGIN { print k / 1024 }' >>"$work/jetty-$side.rss"
    done
  done
  added_lines "$work/jetty-without.lines" "$work/jetty-with.lines" >"$work/jetty.added"
  removed_lines "$work/jetty-without.lines" "$work/jetty-with.lines" >"$work/jetty.removed"

  local w0 w1 c0 c1 r0 r1
  w0=$(median "$work/jetty-without.wall"); w1=$(median "$work/jetty-with.wall")
  c0=$(median "$work/jetty-without.cpu"); c1=$(median "$work/jetty-with.cpu")
  r0=$(median "$work/jetty-without.rss"); r1=$(median "$work/jetty-with.rss")
  {
    echo
    echo "## Embedded Jetty 12, one servlet"
    echo
    echo "\`$java_bin -jar $jetty_jar PORT\`: from the launch to the first 200 response to \`GET /\` (polled every"
    echo "5 ms), CPU time of the JVM's threads and its peak RSS at that moment."
    echo
    echo "| measure | without agent | with agent | with / without | difference | target |"
    echo "|---|---:|---:|---:|---:|---:|"
    echo "| time to first 200 (ms) | $(fmt "$w0") | $(fmt "$w1") | $(ratio "$w0" "$w1") | $(diff_of "$w0" "$w1") | 1.05x |"
    echo "| CPU time to first 200 (ms) | $(fmt "$c0") | $(fmt "$c1") | $(ratio "$c0" "$c1") | $(diff_of "$c0" "$c1") | |"
    echo "| peak RSS at first 200 (MB) | $(fmt "$r0" 1) | $(fmt "$r1" 1) | $(ratio "$r0" "$r1") | $(diff_of "$r0" "$r1") | |"
    echo
    echo "- lines only with the agent:"
    line_list "$work/jetty.added"
    echo "- lines only without the agent:"
    line_list "$work/jetty.removed"
  } >>"$report"
}

# ---------------------------------------------------------------------------------------------------------------
# lines FILE: its complete lines (wc -l counts newlines), so that a line being written while a window closes goes
# to the next window instead of being cut in two.
lines() { wc -l <"$1"; }
# safepoints FILE FROM TO: "count sum_ms max_ms" of the safepoints logged on lines FROM+1..TO.
safepoints() {
  sed -n "$(( $2 + 1 )),$3p" "$1" | grep -o 'Total: [0-9]* ns' | awk '
    { n++; t = $2 / 1e6; s += t; if (t > m) m = t }
    END { printf "%d %.3f %.3f\n", n, s, m }'
}
# stalls FILE FROM TO: "count sum_ms max_ms" of the "stall X ms" lines on lines FROM+1..TO.
stalls() {
  sed -n "$(( $2 + 1 )),$3p" "$1" | awk '
    $1 == "stall" { n++; s += $2; if ($2 > m) m = $2 }
    END { printf "%d %.3f %.3f\n", n, s, m }'
}

attach_part() {
  local i pid sp ol t0 sp0 sp1 sp2 ol0 ol1 ol2 rc classes n s m
  echo "startup.sh: attach, $attach_runs runs" >&2
  for i in $(seq 1 "$attach_runs"); do
    sp="$work/attach-$i-safepoint.log"; ol="$work/attach-$i.out"
    "$java_bin" "-Xlog:safepoint=info:file=$sp:uptime" -cp "$jetty_jar" dev.lockwatch.startup.AttachTarget \
      "$attach_classes" >"$ol" 2>&1 &
    pid=$!; target_pid=$pid
    now_us; t0=$now
    until grep -q '^ready' "$ol"; do
      kill -0 "$pid" 2>/dev/null || { cat "$ol" >&2; die "the attach target exited"; }
      now_us
      (( now - t0 < 120000000 )) || die "the attach target was not ready within 120 s"
      nap 0.05
    done
    classes=$(sed -n 's/^ready classes=//p' "$ol")
    nap 1 # the class loading's own safepoints are over
    touch "$sp"
    sp0=$(lines "$sp"); ol0=$(lines "$ol")
    nap 2 # baseline window
    sp1=$(lines "$sp"); ol1=$(lines "$ol")
    now_us; t0=$now
    rc=0
    "$java_bin" -jar "$agent_copy" attach "$pid" ${agent_options:+"$agent_options"} >"$work/attach-$i.cli" 2>&1 || rc=$?
    now_us
    [[ $rc -eq 0 ]] || { cat "$work/attach-$i.cli" >&2; die "the attach command exited with $rc"; }
    echo $(( (now - t0) / 1000 )) >>"$work/attach.cli-ms"
    nap 1 # work the agent's own threads do right after agentmain returned
    sp2=$(lines "$sp"); ol2=$(lines "$ol")
    kill "$pid"; wait "$pid" 2>/dev/null || true; target_pid=""

    echo "$classes" >>"$work/attach.classes"
    read -r n s m < <(safepoints "$sp" "$sp1" "$sp2")
    echo "$n" >>"$work/attach.sp-n"; echo "$s" >>"$work/attach.sp-sum"; echo "$m" >>"$work/attach.sp-max"
    read -r n s m < <(stalls "$ol" "$ol1" "$ol2")
    echo "$n" >>"$work/attach.st-n"; echo "$s" >>"$work/attach.st-sum"; echo "$m" >>"$work/attach.st-max"
    read -r n s m < <(safepoints "$sp" "$sp0" "$sp1")
    echo "$n" >>"$work/base.sp-n"; echo "$s" >>"$work/base.sp-sum"; echo "$m" >>"$work/base.sp-max"
    read -r n s m < <(stalls "$ol" "$ol0" "$ol1")
    echo "$n" >>"$work/base.st-n"; echo "$s" >>"$work/base.st-sum"; echo "$m" >>"$work/base.st-max"
    sed -n "$(( ol1 + 1 )),${ol2}p" "$ol" | grep -v '^stall ' >>"$work/attach.target-lines" || true
  done
  sort -u -o "$work/attach.target-lines" "$work/attach.target-lines"
  {
    echo
    echo "## Attach to a running JVM"
    echo
    echo "A JVM that loaded $(median "$work/attach.classes") classes (AttachTarget) with \`-Xlog:safepoint\`, attached with"
    echo "\`java -jar AGENT attach PID\`; window = the attach command, then 1 s; baseline = 2 s just before it."
    echo "Stalls: a thread in the target that sleeps 1 ms at a time, woken more than 2 ms late; besides safepoints"
    echo "they include waiting for a CPU while the attach command's own JVM and the agent's start-up run (on $(nproc) CPUs)."
    echo "Medians of $attach_runs attaches, a new target each."
    echo
    echo "| measure | attach window | baseline (2 s, no attach) |"
    echo "|---|---:|---:|"
    echo "| attach command, wall time (ms) | $(fmt "$(median "$work/attach.cli-ms")") | |"
    echo "| safepoints | $(median "$work/attach.sp-n") | $(median "$work/base.sp-n") |"
    echo "| safepoint time, sum of \"Total\" (ms) | $(fmt "$(median "$work/attach.sp-sum")" 2) | $(fmt "$(median "$work/base.sp-sum")" 2) |"
    echo "| longest safepoint (ms) | $(fmt "$(median "$work/attach.sp-max")" 2) | $(fmt "$(median "$work/base.sp-max")" 2) |"
    echo "| stalls seen by the sleeping thread | $(median "$work/attach.st-n") | $(median "$work/base.st-n") |"
    echo "| stall time, summed (ms) | $(fmt "$(median "$work/attach.st-sum")" 2) | $(fmt "$(median "$work/base.st-sum")" 2) |"
    echo "| longest stall (ms) | $(fmt "$(median "$work/attach.st-max")" 2) | $(fmt "$(median "$work/base.st-max")" 2) |"
    echo
    echo "- lines the target printed during the attach (timestamps removed):"
    normalize "$work/attach.target-lines" >"$work/attach.target-norm"
    line_list "$work/attach.target-norm"
  } >>"$report"
}

has_part hello && hello_part
has_part jetty && jetty_part
has_part attach && attach_part

mkdir -p "$(dirname "$out")"
cp "$report" "$out"
echo
cat "$out"
echo
echo "startup.sh: written to $out" >&2
