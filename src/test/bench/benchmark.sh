#!/usr/bin/env bash
# Benchmarks the greeting function on this machine, against a real redis-server it starts:
#   bash src/test/bench/benchmark.sh [LAUNCHES] [PEER]     (default 7 launches per start-up mode)
#   FLOOR_ROUNDS=N (default 30): launches of each in the framework floor's interleaved rounds (1b)
#
# PEER, optional, is a checkout of the Python peer (github.com/mohammedx3/DevOps-Challenge, its
# hello.py: Tornado with the same Redis counter), never committed here. When given, the peer is
# measured in the same run, with the same redis-server, the same way: its cold starts right after
# ours, its load rounds alternating with ours. It runs on Debian's python3-tornado and
# python3-redis (PEER_PYTHON, default /usr/bin/python3; see common.sh).
#
# 1. cold start: process launch to the first 200 of GET /greeting (Redis counting), LAUNCHES
#    times each: the plain fast-jar, the aot-jar (what the image ships) with a JDK 25 AOT cache
#    trained by the integration tests (greetings with Redis), and, when the image check has run
#    (bash src/test/container/image-check.sh), the image and the image with the AOT cache the
#    pipeline's Task trained inside it;
# 1b. the framework floor: a minimal Quarkus Funqy function with the Quarkus Redis client (one INCR
#    per call, src/test/bench/floor), built with our Quarkus version and packaging, and ours, each
#    with a JDK 25 AOT cache trained by the same greetings, launched in interleaved rounds with a
#    copy of ours (the A/A spread) and the peer: ours / floor, ours / peer and the spread
#    |median(ours) / median(ours' copy) - 1|;
# 2. memory: RSS after the first request, and after the load run;
# 3. throughput: wrk, concurrency 50, 5 rounds of 10 s after a 5 s warm-up (with a peer, its
#    rounds alternate with ours): req/s, p50, p99, errors, medians of the rounds;
# 4. the ceiling: redis-benchmark -t incr at the same concurrency;
# 5. a counter check: Redis rose by exactly the number of 200s (hey, 20,000 requests, so that no
#    request is cut off mid-flight as wrk's timed run does).
# Writes target/bench/results.md and target/bench/coldstart.svg.
# Needs: a JDK 25, python3, curl, wrk, hey and redis-tools (apt-get install wrk hey redis-tools).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../shell/common.sh
. "$ROOT/src/test/shell/common.sh"
OUT="$ROOT/target/bench"
LAUNCHES=${1:-7}
PEER=${2:-}
ROUNDS=5
JDK=$(jdk25_home)
JAVA="$JDK/bin/java"
CONCURRENCY=50

fail() { echo "BENCHMARK FAILED: $*" >&2; exit 1; }
why=$(require_tools "apt-get install wrk hey redis-tools python3 curl unzip" \
  python3 curl wrk hey redis-benchmark redis-cli unzip) || fail "$why"
[ -x "$JAVA" ] || fail "no JDK 25 found; set JDK25_HOME"
if [ -n "$PEER" ]; then
  PEER=$(cd "$PEER" && pwd)
  why=$(peer_check "$PEER") || fail "$why"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# ---- the two jars: a plain fast-jar, and one with an AOT cache trained by the ITs -------------
echo "building the fast-jar and the AOT-trained jar (a few minutes)..."
copy_project "$OUT/src-fast"
(cd "$OUT/src-fast" && JAVA_HOME="$JDK" ./mvnw -B -q -ntp package -DskipTests -Dquarkus.package.jar.type=fast-jar) \
  > "$OUT/build-fast.log" 2>&1 \
  || fail "fast-jar build failed, see $OUT/build-fast.log"
copy_project "$OUT/src-aot"
# The training run: GreetingContractIT drives the packaged app (greetings, health, ready, errors)
# against a real redis-server while the JVM records; Quarkus then writes app.aot.
(cd "$OUT/src-aot" && JAVA_HOME="$JDK" ./mvnw -B -q -ntp verify -Dquarkus.package.jar.aot.enabled=true \
    -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=GreetingContractIT \
    -Dquarkus.test.arg-line="${BENCH_JVM_FLAGS[*]}") \
  > "$OUT/build-aot.log" 2>&1 || fail "AOT build failed, see $OUT/build-aot.log"
FAST="$OUT/src-fast/target/quarkus-app"
AOT="$OUT/src-aot/target/quarkus-app"
[ -f "$AOT/app.aot" ] || fail "no app.aot was written"

# ---- a real Redis -------------------------------------------------------------------------------
start_redis "$OUT" "$OUT/redis.log" || fail "no redis-server"
redis() { redis-cli -p "$REDIS_PORT" "$@"; }

# ---- the AOT cache is really used: the JVM's own log says so -------------------------------------
cache_opens() { # DIR LOG: runs DIR's jar with -XX:AOTMode=on until its first 200; says why not if its cache is refused
  local dir=$1 log=$2 port pid
  port=$(free_port)
  run_jar "$dir" "$port" -XX:AOTMode=on -XX:AOTCache=app.aot -Xlog:aot=info > "$log" 2>&1 &
  pid=$!
  await_http "http://127.0.0.1:$port/greeting" 200 || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" || true
  aot_cache_accepted "$log"
}
why=$(cache_opens "$AOT" "$OUT/aot-check.log") || fail "$why"
echo "AOT cache opened and accepted (target/bench/aot-check.log)"

# ---- cold starts --------------------------------------------------------------------------------
echo "cold start: fast-jar ($LAUNCHES launches)"
coldstart_jar "$OUT/coldstart-fast-jar.json" "$FAST"
echo "cold start: aot-cache ($LAUNCHES launches)"
coldstart_jar "$OUT/coldstart-aot-cache.json" "$AOT" -XX:AOTCache=app.aot
if [ -n "$PEER" ]; then
  echo "cold start: peer ($LAUNCHES launches of $PEER/hello.py)"
  port=$(free_port)
  peer_command "$PEER" "$port"
  python3 "$ROOT/src/test/bench/coldstart.py" "$LAUNCHES" "http://127.0.0.1:$port/" -- "${PEER_COMMAND[@]}" \
    > "$OUT/coldstart-peer.json"
fi
IMAGE_CHECK="$ROOT/target/image-check"
if command -v podman >/dev/null && [ -f "$IMAGE_CHECK/containers.conf" ]; then
  export CONTAINERS_CONF="$IMAGE_CHECK/containers.conf" CONTAINERS_STORAGE_CONF="$IMAGE_CHECK/storage.conf"
  IMAGE=$(podman images --format '{{.Repository}}:{{.Tag}}' | grep 'acme/greeting:check$' | head -1 || true)
  # The image check leaves both: the image Jib built, and the one the pipeline's Task
  # greeting-aot-image made from it with a cache trained inside it.
  if [ -n "$IMAGE" ] && podman image exists localhost/acme/greeting:check-aot; then
    for variant in "container $IMAGE" "container-aot localhost/acme/greeting:check-aot"; do
      read -r name image <<< "$variant"
      port=$(free_port)
      echo "cold start: $name ($LAUNCHES launches of $image)"
      python3 "$ROOT/src/test/bench/coldstart.py" "$LAUNCHES" "http://127.0.0.1:$port/greeting" -- \
        podman run --rm --network host --read-only --read-only-tmpfs=false -e PORT="$port" \
        -e REDIS_HOST=127.0.0.1 -e REDIS_PORT="$REDIS_PORT" "$image" > "$OUT/coldstart-$name.json"
    done
  fi
fi

# ---- the framework floor: ours and a bare Funqy + Redis function, trained alike, interleaved ---------
FLOOR_ROUNDS=${FLOOR_ROUNDS:-30}
QUARKUS_VERSION=$(sed -n 's:.*<quarkus.platform.version>\(.*\)</quarkus.platform.version>.*:\1:p' "$ROOT/pom.xml")
echo "building the floor (src/test/bench/floor, Quarkus $QUARKUS_VERSION)..."
rm -rf "$OUT/src-floor"
cp -r "$ROOT/src/test/bench/floor" "$OUT/src-floor"
(cd "$ROOT" && JAVA_HOME="$JDK" ./mvnw -B -q -ntp -f "$OUT/src-floor/pom.xml" package -Dquarkus.platform.version="$QUARKUS_VERSION") \
  > "$OUT/build-floor.log" 2>&1 || fail "floor build failed, see $OUT/build-floor.log"
# Both trained by the same workload, so that neither cache holds more of its start-up than the
# other's: greetings as GET, GET with a name and POST, the calls every cold start makes first.
train_greetings() { # DIR: writes DIR/app.aot
  local dir=$1 port pid url
  port=$(free_port)
  url="http://127.0.0.1:$port/greeting"
  rm -f "$dir/app.aot"
  run_jar "$dir" "$port" -XX:AOTCacheOutput=app.aot > "$dir/../train.log" 2>&1 &
  pid=$!
  await_http "$url" 200 || fail "$dir did not answer for its training; see $dir/../train.log"
  for _ in $(seq 1 200); do
    curl -fs -o /dev/null "$url" && curl -fs -o /dev/null "$url?name=Ada" \
      && curl -fs -o /dev/null -H 'Content-Type: application/json' -d '{"name":"Grace"}' "$url" \
      || fail "a training greeting failed for $dir"
  done
  kill -TERM "$pid"; wait "$pid" || true
  [ -s "$dir/app.aot" ] || fail "no AOT cache was written for $dir; see $dir/../train.log"
}
rm -rf "$OUT/floor-ours" "$OUT/floor-ours-copy"
mkdir -p "$OUT/floor-ours" "$OUT/floor-ours-copy"
cp -a "$OUT/src-aot/target/quarkus-app" "$OUT/floor-ours/quarkus-app"
train_greetings "$OUT/floor-ours/quarkus-app"
train_greetings "$OUT/src-floor/target/quarkus-app"
# The A/A copy: the same files, modification times kept (the JVM checks them against the cache).
cp -a "$OUT/floor-ours/quarkus-app" "$OUT/floor-ours-copy/quarkus-app"
for dir in "$OUT/floor-ours/quarkus-app" "$OUT/floor-ours-copy/quarkus-app" "$OUT/src-floor/target/quarkus-app"; do
  why=$(cache_opens "$dir" "$dir/../aot-check.log") || fail "$dir: $why"
done
{
  jar_spec_entry ours "$OUT/floor-ours/quarkus-app" -XX:AOTCache=app.aot
  jar_spec_entry ours-copy "$OUT/floor-ours-copy/quarkus-app" -XX:AOTCache=app.aot
  jar_spec_entry floor "$OUT/src-floor/target/quarkus-app" -XX:AOTCache=app.aot
  if [ -n "$PEER" ]; then
    port=$(free_port)
    peer_command "$PEER" "$port"
    spec_entry peer "$PEER" "http://127.0.0.1:$port/" "${PEER_COMMAND[@]}"
  fi
} > "$OUT/floor-spec.jsonl"
echo "cold start: the floor, ours, ours' copy$([ -z "$PEER" ] || echo ', the peer'), interleaved ($FLOOR_ROUNDS rounds)"
python3 "$ROOT/src/test/bench/coldstart_interleaved.py" "$OUT/floor-spec.jsonl" "$FLOOR_ROUNDS" > "$OUT/coldstart-floor.json" \
  2> "$OUT/coldstart-floor.log" || { tail -5 "$OUT/coldstart-floor.log"; fail "the interleaved cold starts failed"; }

# ---- load: wrk at concurrency 50 on the AOT-started function (and the peer, alternating) ---------
APP_PORT=$(free_port)
run_jar "$AOT" "$APP_PORT" -XX:AOTCache=app.aot > "$OUT/load-app.log" 2>&1 &
APP_PID=$!
PIDS+=("$APP_PID")
await_http "http://127.0.0.1:$APP_PORT/greeting" 200 || fail "the AOT-started function did not answer; see $OUT/load-app.log"
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
RSS_FIRST=$(rss "$APP_PID")
TARGETS=("ours http://127.0.0.1:$APP_PORT/greeting")
if [ -n "$PEER" ]; then
  PEER_PORT=$(free_port)
  peer_command "$PEER" "$PEER_PORT"
  "${PEER_COMMAND[@]}" > "$OUT/load-peer.log" 2>&1 &
  PEER_PID=$!
  PIDS+=("$PEER_PID")
  await_http "http://127.0.0.1:$PEER_PORT/" 200 || fail "the peer did not answer; see $OUT/load-peer.log"
  TARGETS+=("peer http://127.0.0.1:$PEER_PORT/")
fi
for target in "${TARGETS[@]}"; do
  read -r name url <<< "$target"
  wrk -t2 -c"$CONCURRENCY" -d5s "$url" > "$OUT/wrk-$name-warmup.txt"
done
for round in $(seq 1 "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    read -r name url <<< "$target"
    wrk -t2 -c"$CONCURRENCY" -d10s --latency "$url" > "$OUT/wrk-$name-$round.txt"
    echo "load round $round, $name: $(wrk_figures "$OUT/wrk-$name-$round.txt") (req/s p50 p99 non-2xx socket-errors)"
  done
done
RSS_LOAD=$(rss "$APP_PID")
[ -z "$PEER" ] || rss "$PEER_PID" > "$OUT/peer-rss-load.txt"
sleep 1
BEFORE=$(redis GET greeting:count)
hey -n 20000 -c "$CONCURRENCY" "http://127.0.0.1:$APP_PORT/greeting" > "$OUT/hey-count.txt"
AFTER=$(redis GET greeting:count)
redis-benchmark -p "$REDIS_PORT" -t incr -c "$CONCURRENCY" -n 500000 -q > "$OUT/redis-benchmark.txt" 2>&1

python3 "$ROOT/src/test/bench/report.py" "$OUT" "$BEFORE" "$AFTER" "$RSS_FIRST" "$RSS_LOAD" "$CONCURRENCY"
