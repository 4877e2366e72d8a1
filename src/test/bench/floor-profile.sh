#!/usr/bin/env bash
# What ours loads and runs at start-up beyond the framework floor (src/test/bench/floor), after
# benchmark.sh, whose trained builds it reuses:
#   bash src/test/bench/floor-profile.sh [LAUNCHES]     (default 5 each, interleaved)
# Each launch runs with the AOT cache, the benchmark's JVM flags, -Xlog:class+load and Quarkus'
# -Dquarkus.debug.print-startup-times=true (the time of each recorded start-up step), until the
# first 200 of /greeting; then LAUNCHES more each under async-profiler. Writes
# target/bench/floor-profile/profile.md: classes loaded by package, Quarkus' recorded steps, and
# CPU time by thread (main, JIT compilers, event loop), ours against the floor.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../shell/common.sh
. "$ROOT/src/test/shell/common.sh"
BENCH="$ROOT/target/bench"
OUT="$BENCH/floor-profile"
LAUNCHES=${1:-5}
fail() { echo "FLOOR PROFILE FAILED: $*" >&2; exit 1; }
VARIANTS=("ours $BENCH/floor-ours/quarkus-app" "floor $BENCH/src-floor/target/quarkus-app")
for variant in "${VARIANTS[@]}"; do
  dir=${variant#* }
  [ -f "$dir/app.aot" ] || fail "no trained $dir; run src/test/bench/benchmark.sh first"
done
rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
start_redis "$OUT" "$OUT/redis.log" || fail "no redis-server"

launch() { # NAME DIR LOG FLAGS...: starts it with its cache and the flags; PID once it answered its first 200
  local name=$1 dir=$2 log=$3 port
  shift 3
  port=$(free_port)
  run_jar "$dir" "$port" -XX:AOTCache=app.aot "$@" > "$log" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  await_http "http://127.0.0.1:$port/greeting" 600 || fail "$name did not answer; see $log"
}

for n in $(seq 1 "$LAUNCHES"); do
  for variant in "${VARIANTS[@]}"; do
    read -r name dir <<< "$variant"
    launch "$name" "$dir" "$OUT/$name-$n.log" -Xlog:class+load=info:file="$OUT/$name-$n.classes" \
      -Dquarkus.debug.print-startup-times=true
    kill -TERM "$PID"; wait "$PID" || true
  done
done
# CPU samples (async-profiler, every 1 ms, per thread) of further launches, launch to the first 200:
# on 2 cores the JIT compiler threads compete with the main thread for the same CPUs.
LIB=$(async_profiler_lib "$OUT") || fail "no async-profiler"
for n in $(seq 1 "$LAUNCHES"); do
  for variant in "${VARIANTS[@]}"; do
    read -r name dir <<< "$variant"
    launch "$name" "$dir" "$OUT/$name-$n.profiled.log" \
      "-agentpath:$LIB=start,event=cpu,interval=1ms,threads,collapsed,file=$OUT/$name-$n.collapsed"
    "$(jdk25_home)/bin/jcmd" "$PID" JVMTI.agent_load "$LIB" "stop,collapsed,file=$OUT/$name-$n.collapsed" > /dev/null 2>&1 \
      || fail "jcmd could not stop the profiler"
    kill -TERM "$PID"; wait "$PID" || true
  done
done
python3 - "$OUT" "$LAUNCHES" <<'PY'
import collections, re, statistics, sys
out, launches = sys.argv[1], int(sys.argv[2])
def classes(name, n):
    counts = collections.Counter()
    for line in open(f"{out}/{name}-{n}.classes"):
        m = re.search(r"\] (\S+) source:", line)
        if m:
            parts = m.group(1).split(".")
            counts[".".join(parts[:3]) if parts[0] in ("io", "org", "com", "net") else ".".join(parts[:2])] += 1
    return counts
def steps(name, n):
    found = {}
    for line in open(f"{out}/{name}-{n}.log"):
        m = re.search(r"Build step (\S+) completed in: (\d+)ms", line)
        if m:
            found[m.group(1)] = int(m.group(2))
    return found
rows = []
ours_c, floor_c = classes("ours", 1), classes("floor", 1)
total_o, total_f = sum(ours_c.values()), sum(floor_c.values())
lines = [f"# Ours against the framework floor: what loads and runs at start-up", "",
         f"Classes loaded until the first 200 of /greeting, first launch: ours {total_o}, the floor {total_f}, "
         f"{total_o - total_f} more.", "", "| package | ours | floor | more |", "|---|---|---|---|"]
for pkg in sorted(set(ours_c) | set(floor_c), key=lambda p: floor_c[p] - ours_c[p])[:25]:
    if ours_c[pkg] - floor_c[pkg] > 0:
        lines.append(f"| {pkg} | {ours_c[pkg]} | {floor_c[pkg]} | {ours_c[pkg] - floor_c[pkg]} |")
ours_s = [steps("ours", n) for n in range(1, launches + 1)]
floor_s = [steps("floor", n) for n in range(1, launches + 1)]
med = lambda runs, step: statistics.median(r.get(step, 0) for r in runs)
lines += ["", f"Recorded start-up steps (Quarkus' print-startup-times), median of {launches} launches, ms:",
          "", "| step | ours | floor |", "|---|---|---|"]
all_steps = sorted(set().union(*ours_s) | set().union(*floor_s), key=lambda s: -(med(ours_s, s) - med(floor_s, s)))
for step in all_steps:
    if med(ours_s, step) or med(floor_s, step):
        lines.append(f"| {step} | {med(ours_s, step):.0f} | {med(floor_s, step):.0f} |")
lines += ["", f"| sum of the recorded steps | {statistics.median(sum(r.values()) for r in ours_s):.0f} | "
          f"{statistics.median(sum(r.values()) for r in floor_s):.0f} |"]
def cpu(name, n):
    threads = collections.Counter()
    for line in open(f"{out}/{name}-{n}.collapsed"):
        stack, _, samples = line.rstrip().rpartition(" ")
        thread = re.sub(r" tid=\d+", "", stack.split(";")[0]).strip("[]")
        group = ("JIT compiler (C2)" if thread.startswith("C2 ") else "JIT compiler (C1)" if thread.startswith("C1 ")
                 else thread if thread in ("main", "vert.x-eventloop-thread-0", "vert.x-eventloop-thread-1") else "other threads")
        threads[group] += int(samples)
    return threads
ours_cpu = [cpu("ours", n) for n in range(1, launches + 1)]
floor_cpu = [cpu("floor", n) for n in range(1, launches + 1)]
groups = sorted(set().union(*ours_cpu, *floor_cpu), key=lambda g: -statistics.median(c[g] for c in ours_cpu))
lines += ["", f"CPU time by thread, launch to the first 200 (async-profiler, 1 ms samples), median of {launches} launches, ms:",
          "", "| threads | ours | floor | more |", "|---|---|---|---|"]
for g in groups + ["all"]:
    o = statistics.median(sum(c.values()) if g == "all" else c[g] for c in ours_cpu)
    f = statistics.median(sum(c.values()) if g == "all" else c[g] for c in floor_cpu)
    lines.append(f"| {g} | {o:.0f} | {f:.0f} | {o - f:+.0f} |")
open(f"{out}/profile.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
