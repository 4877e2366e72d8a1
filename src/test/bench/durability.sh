#!/usr/bin/env bash
# What greeting.counter.durability=replicated costs against the default (primary):
#   ./mvnw package -DskipTests && bash src/test/bench/durability.sh [ROUNDS]   (default 3)
#
# Starts one primary, two replicas and three sentinels on loopback (Debian's redis-server and
# redis-sentinel, with a password), then runs the packaged function (target/quarkus-app) in the
# redis-sentinel profile once per setting and round, the settings alternating so that both see
# the same machine: wrk at concurrency 50, 15 s after a 5 s warm-up. Prints req/s, p50 and p99
# per run, the medians, and replicated/primary ratios. Writes target/bench-durability/.
# Needs: a JDK 25, python3, curl, wrk, redis-server, redis-sentinel, redis-tools.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../shell/common.sh
. "$ROOT/src/test/shell/common.sh"
OUT="$ROOT/target/bench-durability"
ROUNDS=${1:-3}
APP="$ROOT/target/quarkus-app"
export REDISCLI_AUTH="bench-$(date +%s%N)"

fail() { echo "BENCHMARK FAILED: $*" >&2; exit 1; }
why=$(require_tools "apt-get install wrk redis-server redis-sentinel redis-tools" \
  python3 curl wrk redis-server redis-sentinel redis-cli) || fail "$why"
[ -f "$APP/quarkus-run.jar" ] || fail "no $APP/quarkus-run.jar: run ./mvnw package -DskipTests first"

rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# ---- the group ----------------------------------------------------------------------------------
PRIMARY=$(free_port)
for role in primary replica replica; do
  port=$([ "$role" = primary ] && echo "$PRIMARY" || free_port)
  args=(--port "$port" --bind 127.0.0.1 --save "" --dir "$OUT" --dbfilename "dump-$port.rdb"
        --requirepass "$REDISCLI_AUTH" --masterauth "$REDISCLI_AUTH")
  [ "$role" = replica ] && args+=(--replicaof 127.0.0.1 "$PRIMARY")
  redis-server "${args[@]}" > "$OUT/redis-$port.log" 2>&1 &
  PIDS+=($!)
  await_port "$port" || fail "nothing listens on $port; see $OUT"
done
SENTINELS=()
for _ in 1 2 3; do
  port=$(free_port)
  printf '%s\n' "sentinel monitor greeting 127.0.0.1 $PRIMARY 2" \
    "sentinel auth-pass greeting $REDISCLI_AUTH" "requirepass $REDISCLI_AUTH" \
    "sentinel sentinel-pass $REDISCLI_AUTH" > "$OUT/sentinel-$port.conf"
  redis-sentinel "$OUT/sentinel-$port.conf" --port "$port" --bind 127.0.0.1 --dir "$OUT" \
    > "$OUT/sentinel-$port.log" 2>&1 &
  PIDS+=($!)
  await_port "$port" || fail "nothing listens on $port; see $OUT"
  SENTINELS+=("redis://127.0.0.1:$port")
done
for _ in $(seq 1 120); do
  [ "$(redis-cli -p "$PRIMARY" INFO replication | grep -c 'state=online')" = 2 ] && break
  sleep 0.25
done
[ "$(redis-cli -p "$PRIMARY" INFO replication | grep -c 'state=online')" = 2 ] || fail "the replicas did not sync"

# ---- the runs -----------------------------------------------------------------------------------
for round in $(seq 1 "$ROUNDS"); do
  for durability in primary replicated; do
    port=$(free_port)
    (cd "$APP" && REDIS_PASSWORD="$REDISCLI_AUTH" exec "$(jdk25_home)/bin/java" "${BENCH_JVM_FLAGS[@]}" \
      -Dquarkus.profile=prod,redis-sentinel -Dquarkus.http.port="$port" \
      -DREDIS_SENTINELS="$(IFS=,; echo "${SENTINELS[*]}")" -DREDIS_MASTER_NAME=greeting \
      -DCOUNTER_DURABILITY="$durability" -jar quarkus-run.jar) > "$OUT/app-$durability-$round.log" 2>&1 &
    app=$!
    PIDS+=("$app")
    await_http "http://127.0.0.1:$port/greeting" 300 || fail "the function did not answer; see $OUT/app-$durability-$round.log"
    wrk -t2 -c50 -d5s "http://127.0.0.1:$port/greeting" > /dev/null
    wrk -t2 -c50 -d15s --latency "http://127.0.0.1:$port/greeting" > "$OUT/wrk-$durability-$round.txt"
    # A greeting without a count would make a setting look cheap; the first one logs this line.
    ! grep -q "Redis is DOWN" "$OUT/app-$durability-$round.log" || fail "$durability: greetings without a count; see its log"
    kill "$app"
    wait "$app" 2>/dev/null || true
    read -r rps p50 p99 non2xx _ <<< "$(wrk_figures "$OUT/wrk-$durability-$round.txt")"
    [ "$non2xx" = 0 ] || fail "$durability: non-2xx responses: $non2xx"
    echo "round $round $durability $rps $p50 $p99" | tee -a "$OUT/runs.txt"
  done
done

python3 - "$OUT/runs.txt" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    _, _, durability, rps, p50, p99 = line.split()
    runs.setdefault(durability, []).append((float(rps), float(p50), float(p99)))
median = {d: [statistics.median(r[i] for r in rs) for i in range(3)] for d, rs in runs.items()}
for d in ("primary", "replicated"):
    print("median %-10s %6.0f req/s  p50 %5.2f ms  p99 %5.2f ms" % (d, *median[d]))
p, r = median["primary"], median["replicated"]
print("replicated/primary: throughput %.2f, p50 %.2f, p99 %.2f" % (r[0] / p[0], r[1] / p[1], r[2] / p[2]))
EOF
