#!/usr/bin/env bash
# Where a cold start's time goes, with the AOT cache, from launch to the first counted greeting:
#   bash src/test/bench/profile.sh [LAUNCHES] [APP]
# APP is a quarkus-app folder with its app.aot; by default the one benchmark.sh built
# (target/bench/src-aot/target/quarkus-app). LAUNCHES defaults to 7.
#
# 1. The breakdown: LAUNCHES cold starts with the image's flags, -Xlog:startuptime and the JSON
#    log, each log placed on its launch's clock: JVM creation ("Create VM", which maps the AOT
#    cache and loads every class it links), the launcher up to Quarkus' boot, Quarkus' boot (its
#    own "started in"), and the first request (the first 200 of GET /greeting, Redis counting).
# 2. The profile: one more cold start under async-profiler 4.6 (tools.profiler:async-profiler on
#    Maven Central, a jar that carries its native library): on-CPU samples every 1 ms, per thread,
#    from JVM init until the first 200 of /greeting, where jcmd stops it, so that neither idle time
#    nor shutdown is in it. PROFILE_EVENT=wall samples waiting threads as well.
# 3. With PEER set to a checkout of the Python peer (see benchmark.sh), LAUNCHES cold starts of it
#    too, right after ours, so that the floor below can be set against it in the same run.
# Writes target/profile/: startup-flamegraph.svg, startup-breakdown.md, startup.collapsed.
# Needs: a JDK 25, python3, curl, unzip.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../shell/common.sh
. "$ROOT/src/test/shell/common.sh"
OUT="$ROOT/target/profile"
LAUNCHES=${1:-7}
APP=$(cd "${2:-$ROOT/target/bench/src-aot/target/quarkus-app}" 2>/dev/null && pwd) || APP=
EVENT=${PROFILE_EVENT:-cpu}
JDK=$(jdk25_home)

fail() { echo "PROFILE FAILED: $*" >&2; exit 1; }
why=$(require_tools "apt-get install python3 curl unzip" python3 curl unzip) || fail "$why"
[ -x "$JDK/bin/java" ] || fail "no JDK 25 found; set JDK25_HOME"
[ -n "$APP" ] && [ -f "$APP/app.aot" ] || fail "no quarkus-app with an app.aot; run src/test/bench/benchmark.sh first, or name one"
if [ -n "${PEER:-}" ]; then
  why=$(peer_check "$PEER") || fail "$why"
fi

rm -rf "$OUT"
mkdir -p "$OUT/launches"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

LIB=$(async_profiler_lib "$OUT") || fail "no async-profiler"

start_redis "$OUT" "$OUT/redis.log" || fail "no redis-server"

echo "breakdown: $LAUNCHES cold starts of $APP"
port=$(free_port)
jar_command "$port" -XX:AOTCache=app.aot -Xlog:startuptime
(cd "$APP" && python3 "$ROOT/src/test/bench/coldstart.py" --logs "$OUT/launches" "$LAUNCHES" \
   "http://127.0.0.1:$port/greeting" -- "${JAR_COMMAND[@]}") > "$OUT/coldstart.json"

if [ -n "${PEER:-}" ]; then
  echo "the peer: $LAUNCHES cold starts of $PEER/hello.py"
  port=$(free_port)
  peer_command "$PEER" "$port"
  python3 "$ROOT/src/test/bench/coldstart.py" "$LAUNCHES" "http://127.0.0.1:$port/" -- "${PEER_COMMAND[@]}" > "$OUT/peer.json"
fi

echo "profile: one cold start under async-profiler ($EVENT samples every 1 ms)"
port=$(free_port)
jar_command "$port" -XX:AOTCache=app.aot -XX:AOTMode=on -Xlog:aot=info \
  "-agentpath:$LIB=start,event=$EVENT,interval=1ms,threads,collapsed,file=$OUT/raw.collapsed"
(cd "$APP" && exec "${JAR_COMMAND[@]}") > "$OUT/profiled.log" 2>&1 &
APP_PID=$!
PIDS+=("$APP_PID")
await_http "http://127.0.0.1:$port/greeting" 600 || fail "the profiled start did not answer; see $OUT/profiled.log"
"$JDK/bin/jcmd" "$APP_PID" JVMTI.agent_load "$LIB" "stop,collapsed,file=$OUT/raw.collapsed" > "$OUT/jcmd.log" 2>&1 \
  || fail "jcmd could not stop the profiler; see $OUT/jcmd.log"
kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true
why=$(aot_cache_accepted "$OUT/profiled.log") || fail "under the profiler: $why"
[ -s "$OUT/raw.collapsed" ] || fail "the profiler wrote no samples"
# Thread ids differ at every launch; the names are what a reader compares.
sed -E 's/ tid=[0-9]+\]/]/' "$OUT/raw.collapsed" > "$OUT/startup.collapsed"

python3 "$ROOT/src/test/bench/flamegraph.py" "$OUT/startup.collapsed" "$OUT/startup-flamegraph.svg" \
  "Cold start with the AOT cache, launch to the first 200 of /greeting: $EVENT samples, 1 ms, per thread"
python3 "$ROOT/src/test/bench/profile_report.py" "$OUT/launches" "$OUT/startup.collapsed" "$EVENT" "$OUT/peer.json" \
  | tee "$OUT/startup-breakdown.md"
