#!/usr/bin/env bash
# The figures behind each tuned setting (src/test/bench/README.md, "Tuning"): the shipped configuration against
# each alternative, on this machine, against a real redis-server.
#   bash src/test/bench/tune.sh [LAUNCHES]     (after benchmark.sh, whose two builds it reuses)
#
# 1. cold start, LAUNCHES each (default 7): the fast-jar and the aot-jar, each with an AOT cache
#    trained by the pipeline's own workload (tekton/tasks/aot-image.yaml, sidecar "workload"),
#    and the aot-jar with C1 only;
# 1b. the cache's training profiles, not replayed (shipped) or replayed, in TUNE_ROUNDS interleaved
#    rounds (default 20): time to the first 200, then to 10,000 more greetings at concurrency 50;
# 2. load, one wrk run each (concurrency 50, 20 s after a 5 s warm-up): the shipped settings,
#    then one setting changed at a time (worker threads, Redis pool, event loops, C1 only, the
#    training profiles replayed).
# Writes target/bench/tuning.md. wrk shares the 2 cores; runs differ by about 10%, so only
# differences well beyond that count.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../shell/common.sh
. "$ROOT/src/test/shell/common.sh"
BENCH="$ROOT/target/bench"
OUT="$BENCH/tuning"
LAUNCHES=${1:-7}
FAST="$BENCH/src-fast/target/quarkus-app"
AOT_JAR="$BENCH/src-aot/target/quarkus-app"

fail() { echo "TUNING FAILED: $*" >&2; exit 1; }
why=$(require_tools "apt-get install wrk hey python3" wrk hey python3) || fail "$why"
[ -f "$FAST/quarkus-run.jar" ] && [ -f "$AOT_JAR/app.aot" ] || fail "run src/test/bench/benchmark.sh first"
[ -x "$(jdk25_home)/bin/java" ] || fail "no JDK 25 found; set JDK25_HOME"
rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

start_redis "$OUT" "$OUT/redis.log" || fail "no redis-server"

start_app() { # DIR PORT FLAGS...: the app in the background, its pid in APP
  run_jar "$@" > "$OUT/app-$2.log" 2>&1 &
  APP=$!
}

# ---- a cache for each layout, trained by the pipeline's workload ------------------------------------
task_scripts "$ROOT/tekton/tasks/aot-image.yaml" "$OUT" \
  image-url=- image-digest=- target-image=- workspaces.source.path=- workspaces.maven-cache.path=- \
  workspaces.docker-config.path=- results.IMAGE_URL.path=- results.IMAGE_DIGEST.path=- results.SBOM_SHA256.path=-
for layout in fast aot-jar; do
  dir=$FAST; [ "$layout" = fast ] || dir=$AOT_JAR
  cp -r "$dir" "$OUT/$layout"
  rm -f "$OUT/$layout/app.aot"
  port=$(free_port)
  start_app "$OUT/$layout" "$port" -XX:AOTCacheOutput=app.aot
  PORT=$port AOT_DIR="$OUT" run_task_script "$OUT/workload.sh" sh PORT AOT_DIR > "$OUT/workload-$layout.log" 2>&1 \
    || fail "the workload failed: $(cat "$OUT/workload-$layout.log")"
  rm -f "$OUT/workload.done"
  kill -TERM "$APP"; wait "$APP" || true
  [ -s "$OUT/$layout/app.aot" ] || fail "no cache for $layout"
done

coldstart() { # NAME DIR FLAGS...: one table row
  local name=$1; shift
  coldstart_jar "$OUT/coldstart.json" "$@"
  python3 -c 'import json,statistics,sys; ms=json.load(open(sys.argv[2]))["ms"]; print(f"| {sys.argv[1]} | {len(ms)} | {statistics.median(ms):.0f} | {min(ms):.0f} | {max(ms):.0f} |")' \
    "$name" "$OUT/coldstart.json"
}
{
  echo "Measured $(date -u +%Y-%m-%d) on $(uname -m), $(nproc) cores; JVM flags ${BENCH_JVM_FLAGS[*]}."
  echo
  echo "| start-up (cache trained by the pipeline's workload) | launches | median to first 200 (ms) | min | max |"
  echo "|---|---|---|---|---|"
  coldstart "fast-jar + AOT cache" "$OUT/fast" -XX:AOTCache=app.aot
  coldstart "aot-jar + AOT cache (shipped)" "$OUT/aot-jar" -XX:AOTCache=app.aot
  coldstart "aot-jar + AOT cache, C1 only (-XX:TieredStopAtLevel=1)" "$OUT/aot-jar" -XX:AOTCache=app.aot -XX:TieredStopAtLevel=1
} | tee "$OUT/coldstart.md"

# ---- the training profiles: replayed at start-up or not (JDK_JAVA_OPTIONS), interleaved ------------------
# Replayed, they have the JIT compile the training's hot methods during start-up; the figure that
# matters is the first 200, and what the next requests pay for it.
BURST=10000
{
  jar_spec_entry "shipped: profiles not replayed" "$OUT/aot-jar" -XX:AOTCache=app.aot
  jar_spec_entry "profiles replayed (-XX:+AOTReplayTraining)" "$OUT/aot-jar" -XX:AOTCache=app.aot -XX:+AOTReplayTraining
} > "$OUT/replay-spec.jsonl"
python3 "$ROOT/src/test/bench/coldstart_interleaved.py" "$OUT/replay-spec.jsonl" "${TUNE_ROUNDS:-20}" "$BURST" \
  > "$OUT/replay.json" 2> "$OUT/replay.log" || { tail -3 "$OUT/replay.log"; fail "the interleaved launches failed"; }
python3 - "$OUT/replay.json" "$BURST" <<'EOF' | tee -a "$OUT/coldstart.md"
import json, statistics, sys
figures, burst = json.load(open(sys.argv[1])), int(sys.argv[2])
print(f"\n| AOT cache, interleaved rounds | rounds | median to first 200 (ms) | then {burst:,} greetings, c50 (ms) | both (ms) |")
print("|---|---|---|---|---|")
for name, f in figures.items():
    both = [a + b for a, b in zip(f["ms"], f["burst_ms"])]
    print(f"| {name} | {len(f['ms'])} | {statistics.median(f['ms']):.0f} | {statistics.median(f['burst_ms']):.0f} | {statistics.median(both):.0f} |")
EOF

# ---- load: one setting changed at a time ------------------------------------------------------------
load() { # NAME FLAGS...
  local name=$1 port; shift
  port=$(free_port)
  start_app "$OUT/aot-jar" "$port" -XX:AOTCache=app.aot "$@"
  await_http "http://127.0.0.1:$port/greeting" 200 || fail "$name did not start"
  wrk -t2 -c50 -d5s "http://127.0.0.1:$port/greeting" > /dev/null
  wrk -t2 -c50 -d20s --latency "http://127.0.0.1:$port/greeting" > "$OUT/wrk-$port.txt"
  local rss; rss=$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$APP/status")
  kill -TERM "$APP"; wait "$APP" || true
  awk -v name="$name" -v rss="$rss" '
    /Requests\/sec/ {rps = $2} $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2}
    /Non-2xx/ {errors += $NF} /Socket errors/ {gsub(",", ""); errors += $4 + $6 + $8 + $10}
    END {printf "| %s | %d | %s | %s | %d | %s |\n", name, rps, p50, p99, errors, rss}' "$OUT/wrk-$port.txt"
}
{
  echo
  echo "| load: wrk -c50 20 s, aot-jar + cache | req/s | p50 | p99 | errors | RSS after (MiB) |"
  echo "|---|---|---|---|---|---|"
  load "shipped: 1 worker thread, Redis pool 16, tiered JIT, profiles not replayed"
  load "Quarkus' default worker pool (max 200 threads)" -Dquarkus.thread-pool.max-threads=200
  load "2 worker threads" -Dquarkus.thread-pool.max-threads=2
  load "4 worker threads" -Dquarkus.thread-pool.max-threads=4
  load "Redis pool 6 (the client's default)" -Dquarkus.redis.max-pool-size=6
  load "Redis pool 32" -Dquarkus.redis.max-pool-size=32
  load "2 event loops (default 2 per core)" -Dquarkus.vertx.event-loops-pool-size=2
  load "C1 only (-XX:TieredStopAtLevel=1)" -XX:TieredStopAtLevel=1
  load "training profiles replayed (-XX:+AOTReplayTraining)" -XX:+AOTReplayTraining
  load "shipped, again" 
} | tee "$OUT/load.md"
cat "$OUT/coldstart.md" "$OUT/load.md" > "$BENCH/tuning.md"
echo "wrote target/bench/tuning.md"
