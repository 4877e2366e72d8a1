#!/usr/bin/env bash
# What a change costs at start-up and under load, against an earlier commit, in one run:
#   bash src/test/bench/overhead.sh BASE_REF [LAUNCHES] [ROUNDS]    (defaults 7 and 3)
#
# Builds the aot-jar with a JDK 25 AOT cache trained by the integration tests (as benchmark.sh
# does): from the Git commit BASE_REF ("before") and from the working tree ("after"). Further
# variants of the working tree, to find what a change's cost is made of, come from VARIANTS:
# one per line, "name|Maven build flags|JVM flags", e.g.
#   VARIANTS='no-jvm-binder|-Dquarkus.micrometer.binder.jvm=false|' bash src/test/bench/overhead.sh HEAD~1
# Then, against one real redis-server, ROUNDS times, alternating so that all see the same machine:
# LAUNCHES cold starts each (launch to the first 200 of GET /greeting, median) and a wrk run each
# (concurrency 50, 15 s after a 5 s warm-up). Prints the per-round figures, the medians and the
# ratios to "before". Writes target/bench-overhead/.
# Needs: a JDK 25, git, python3, curl, wrk, unzip.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../shell/common.sh
. "$ROOT/src/test/shell/common.sh"
OUT="$ROOT/target/bench-overhead"
BASE_REF=${1:?usage: overhead.sh BASE_REF [LAUNCHES] [ROUNDS]}
LAUNCHES=${2:-7}
ROUNDS=${3:-3}
JDK=$(jdk25_home)

fail() { echo "BENCHMARK FAILED: $*" >&2; exit 1; }
why=$(require_tools "apt-get install git python3 curl wrk unzip" git python3 curl wrk unzip) || fail "$why"
[ -x "$JDK/bin/java" ] || fail "no JDK 25 found; set JDK25_HOME"
BASE_COMMIT=$(git -C "$ROOT" rev-parse --verify "$BASE_REF^{commit}") || fail "no commit $BASE_REF"

rm -rf "$OUT"
mkdir -p "$OUT/src-before"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

SIDES=(before after)
declare -A BUILD_FLAGS=([before]="" [after]="") RUN_FLAGS=([before]="" [after]="")
while IFS='|' read -r name build run; do
  [ -n "$name" ] || continue
  SIDES+=("$name"); BUILD_FLAGS[$name]=$build; RUN_FLAGS[$name]=$run
done <<< "${VARIANTS:-}"

git -C "$ROOT" archive "$BASE_COMMIT" | tar -x -C "$OUT/src-before"
for side in "${SIDES[@]}"; do
  [ "$side" = before ] || copy_project "$OUT/src-$side"
  echo "building $side (aot-jar, cache trained by GreetingContractIT) ${BUILD_FLAGS[$side]}..."
  # shellcheck disable=SC2086 # the flags are words
  (cd "$OUT/src-$side" && JAVA_HOME="$JDK" ./mvnw -B -q -ntp verify -Dquarkus.package.jar.aot.enabled=true \
      -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=GreetingContractIT \
      -Djacoco.skip=true -Dquarkus.test.arg-line="${BENCH_JVM_FLAGS[*]} ${RUN_FLAGS[$side]}" ${BUILD_FLAGS[$side]}) \
    > "$OUT/build-$side.log" 2>&1 || fail "$side build failed, see $OUT/build-$side.log"
  [ -f "$OUT/src-$side/target/quarkus-app/app.aot" ] || fail "$side: no app.aot was written"
done

start_redis "$OUT" "$OUT/redis.log" || fail "no redis-server"

# One wrk run against the jar in $1 (run as side $2, round $3): prints "req/s p50_ms p99_ms errors".
load() {
  local port pid rps p50 p99 non2xx sockets
  port=$(free_port)
  # shellcheck disable=SC2086
  run_jar "$1" "$port" -XX:AOTCache=app.aot ${RUN_FLAGS[$2]} > "$OUT/load-$2-$3.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  await_http "http://127.0.0.1:$port/greeting" 200 || fail "$2 did not answer; see $OUT/load-$2-$3.log"
  wrk -t2 -c50 -d5s "http://127.0.0.1:$port/greeting" > /dev/null
  wrk -t2 -c50 -d15s --latency "http://127.0.0.1:$port/greeting" > "$OUT/wrk-$2-$3.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  read -r rps p50 p99 non2xx sockets <<< "$(wrk_figures "$OUT/wrk-$2-$3.txt")"
  echo "$rps $p50 $p99 $((non2xx + sockets))"
}

echo "round side coldstart_median_ms req_s p50_ms p99_ms errors" | tee "$OUT/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  for side in "${SIDES[@]}"; do
    # shellcheck disable=SC2086
    coldstart_jar "$OUT/coldstart-$side-$round.json" "$OUT/src-$side/target/quarkus-app" -XX:AOTCache=app.aot ${RUN_FLAGS[$side]}
    cold=$(python3 -c 'import json,sys,statistics; print(round(statistics.median(json.load(open(sys.argv[1]))["ms"])))' \
      "$OUT/coldstart-$side-$round.json")
    echo "$round $side $cold $(load "$OUT/src-$side/target/quarkus-app" "$side" "$round")" | tee -a "$OUT/rounds.txt"
  done
done

python3 - "$OUT/rounds.txt" "$BASE_REF" "${SIDES[@]}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
med = {}
for side in sys.argv[3:]:
    mine = [r for r in rows if r[1] == side]
    med[side] = [statistics.median(float(r[i]) for r in mine) for i in range(2, 7)]
    c, rps, p50, p99, err = med[side]
    print(f"{side:14}: cold start {c:.0f} ms, {rps:.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms, errors {err:.0f} (medians of the rounds)")
b = med["before"]
for side in sys.argv[4:]:
    a = med[side]
    print(f"{side}/before ({sys.argv[2]}): cold start {a[0]/b[0]:.3f}, throughput {a[1]/b[1]:.3f}, p50 {a[2]/b[2]:.3f}, p99 {a[3]/b[3]:.3f}")
PY
