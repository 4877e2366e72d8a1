#!/usr/bin/env bash
# What Funqy's hand-off to a worker thread costs under load: a scratch benchmark, not the product.
#   bash src/test/bench/worker-hop.sh [ROUNDS]      (default 5)
#
# Funqy HTTP 3.34 runs every call on Quarkus' worker pool and hands the function's result back to
# it before writing (VertxRequestHandler: executor.execute(...) for GET and POST, then
# getOutput().emitOn(executor)); the executor is Quarkus' own (ExecutorBuildItem in
# FunqyHttpBuildStep), with no setting, annotation or signature that skips it. To price that, a
# copy of the project gets one more class, only there: GET /plain-greeting, a plain Vert.x route
# that does what the function does (the same VisitCounter, metrics and Greeting, Vert.x' JSON) on
# the event loop. One JVM serves both; wrk (concurrency 50, 10 s) alternates between them ROUNDS
# times after a warm-up of each. Prints the rounds, the medians and the ratio.
# Writes target/bench-hop/. Needs: a JDK 25, python3, curl, wrk, unzip.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../shell/common.sh
. "$ROOT/src/test/shell/common.sh"
OUT="$ROOT/target/bench-hop"
ROUNDS=${1:-5}
JDK=$(jdk25_home)

fail() { echo "BENCHMARK FAILED: $*" >&2; exit 1; }
why=$(require_tools "apt-get install python3 curl wrk unzip" python3 curl wrk unzip) || fail "$why"
[ -x "$JDK/bin/java" ] || fail "no JDK 25 found; set JDK25_HOME"

rm -rf "$OUT"
copy_project "$OUT/src"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

cat > "$OUT/src/src/main/java/org/acme/greeting/PlainGreetingRoute.java" <<'JAVA'
package org.acme.greeting;

import jakarta.enterprise.event.Observes;

import org.acme.greeting.metrics.GreetingMetrics;
import org.acme.greeting.metrics.GreetingMetrics.Outcome;
import org.acme.greeting.redis.VisitCounter;

import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;

/** Scratch only (worker-hop.sh): the greeting as a plain Vert.x route, on the event loop. */
public class PlainGreetingRoute {

    void route(@Observes Router router, VisitCounter counter, GreetingConfig config, GreetingMetrics metrics) {
        router.get("/plain-greeting").handler(rc -> counter.increment().subscribe().with(count -> {
            metrics.greeted(count == null ? Outcome.UNAVAILABLE : Outcome.COUNTED);
            rc.response().putHeader("Content-Type", "application/json").end(Json.encode(new Greeting(
                    "Hello, " + config.defaultName() + "!", count,
                    count == null ? Greeting.COUNTER_UNAVAILABLE : Greeting.COUNTER_OK,
                    config.environment(), config.revision())));
        }, rc::fail));
    }
}
JAVA
echo "building the scratch copy (fast-jar, with /plain-greeting)..."
(cd "$OUT/src" && JAVA_HOME="$JDK" ./mvnw -B -q -ntp package -DskipTests -Djacoco.skip=true) > "$OUT/build.log" 2>&1 \
  || fail "build failed, see $OUT/build.log"

start_redis "$OUT" "$OUT/redis.log" || fail "no redis-server"
port=$(free_port)
run_jar "$OUT/src/target/quarkus-app" "$port" > "$OUT/app.log" 2>&1 &
PIDS+=($!)
await_http "http://127.0.0.1:$port/greeting" 600 || fail "the app did not answer; see $OUT/app.log"
funqy=$(curl -fs "http://127.0.0.1:$port/greeting")
plain=$(curl -fs "http://127.0.0.1:$port/plain-greeting") || fail "/plain-greeting did not answer"
echo "funqy: $funqy"
echo "plain: $plain"
for route in greeting plain-greeting; do
  wrk -t2 -c50 -d5s "http://127.0.0.1:$port/$route" > /dev/null
done
echo "round route req/s p50_ms p99_ms non2xx socket_errors" | tee "$OUT/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  for route in greeting plain-greeting; do
    wrk -t2 -c50 -d10s --latency "http://127.0.0.1:$port/$route" > "$OUT/wrk-$route-$round.txt"
    echo "$round $route $(wrk_figures "$OUT/wrk-$route-$round.txt")" | tee -a "$OUT/rounds.txt"
  done
done
python3 - "$OUT/rounds.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
med = {r: [statistics.median(float(x[i]) for x in rows if x[1] == r) for i in (2, 3, 4)]
       for r in ("greeting", "plain-greeting")}
errors = sum(int(x[5]) + int(x[6]) for x in rows)
for r, (rps, p50, p99) in med.items():
    print(f"{r:15} {rps:,.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms (medians of the rounds)")
f, p = med["greeting"], med["plain-greeting"]
print(f"plain route / Funqy: throughput {p[0] / f[0]:.2f}, p50 {p[1] / f[1]:.2f}, p99 {p[2] / f[2]:.2f}; errors {errors}")
if errors:
    sys.exit("errors under load")
PY
