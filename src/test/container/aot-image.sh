#!/usr/bin/env bash
# Trains a JDK 25 AOT cache inside the greeting image and builds a second image with the cache
# as one more layer, so a cold start opens it. The cache must be trained in the image itself:
# the JVM refuses a cache whose class path (jar paths, sizes and modification times) differs,
# and Jib stamps every file with the epoch time under the image's own paths.
#
#   bash src/test/container/aot-image.sh [IMAGE]
#
# IMAGE defaults to the one the image check left in podman's storage (target/image-check, run
# `bash src/test/container/image-check.sh` first). Writes localhost/acme/greeting:check-aot.
# The training run is the image's own entry point with -XX:AOTCacheOutput, against a real
# redis-server, driven by greetings (GET and POST), probes and refused inputs; on SIGTERM the
# JVM writes the cache. The new image is then started read-only and must log that it opened
# the cache and answer a counted greeting.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../shell/common.sh
. "$ROOT/src/test/shell/common.sh"
WORK="$ROOT/target/image-check"
AOT="$WORK/aot"
TRAIN=greeting-aot-train
CHECK=greeting-aot-check
OUTPUT=localhost/acme/greeting:check-aot

fail() { echo "AOT IMAGE FAILED: $*" >&2; exit 1; }
[ -f "$WORK/containers.conf" ] || fail "run src/test/container/image-check.sh first (it sets up podman under $WORK)"
export CONTAINERS_CONF="$WORK/containers.conf" CONTAINERS_STORAGE_CONF="$WORK/storage.conf"
IMAGE=${1:-$(podman images --format '{{.Repository}}:{{.Tag}}' | grep 'acme/greeting:check$' | head -1 || true)}
[ -n "$IMAGE" ] || fail "no image given and none left by the image check"

PIDS=()
cleanup() {
  podman rm -f "$TRAIN" "$CHECK" >/dev/null 2>&1 || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

rm -rf "$AOT"
mkdir -p "$AOT"
chmod 777 "$AOT" # the container's uid 185 writes the cache here
REDIS_SERVER=$(redis_server_binary "$WORK") || fail "no redis-server binary"
REDIS_PORT=$(free_port)
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" > "$AOT/redis.log" 2>&1 &
PIDS+=($!)

await() { # URL NAME
  await_http "$1" 400 && return 0
  podman logs "$2" 2>&1 | tail -20
  fail "$2 did not answer $1"
}

# ---- training run -------------------------------------------------------------------------------
PORT=$(free_port)
podman run -d --name "$TRAIN" --network host -v "$AOT:/aot" \
  -e JAVA_TOOL_OPTIONS="-XX:AOTCacheOutput=/aot/app.aot" \
  -e PORT="$PORT" -e REDIS_HOST=127.0.0.1 -e REDIS_PORT="$REDIS_PORT" "$IMAGE" >/dev/null
URL="http://127.0.0.1:$PORT"
await "$URL/health" "$TRAIN"
for i in $(seq 1 300); do
  curl -fs "$URL/greeting" >/dev/null
  curl -fs "$URL/greeting?name=Ada" >/dev/null
  curl -fs -H 'Content-Type: application/json' -d '{"name":"Grace"}' "$URL/greeting" >/dev/null
  curl -fs "$URL/ready" >/dev/null
  curl -fs "$URL/health" >/dev/null
  if [ $((i % 10)) = 0 ]; then
    curl -s -o /dev/null "$URL/greeting?name=%3Cb%3E"
    curl -s -o /dev/null -H 'Content-Type: application/json' -d '{"name":' "$URL/greeting"
    curl -s -o /dev/null -H 'Content-Type: text/plain' -d 'Ada' "$URL/greeting"
    curl -s -o /dev/null "$URL/nothing"
  fi
done
podman stop -t 120 "$TRAIN" >/dev/null
podman logs "$TRAIN" > "$AOT/train.log" 2>&1
[ -s "$AOT/app.aot" ] || { tail -20 "$AOT/train.log"; fail "the training run wrote no app.aot"; }
echo "ok - trained app.aot in the image: $(du -h "$AOT/app.aot" | cut -f1) after $(redis-cli -p "$REDIS_PORT" GET greeting:count 2>/dev/null || echo '?') greetings"

# ---- the image with the cache: one more layer, and -XX:AOTCache in the entry point --------------
python3 - "$IMAGE" "$AOT/Containerfile" <<'EOF'
import json, subprocess, sys
image, out = sys.argv[1], sys.argv[2]
config = json.loads(subprocess.check_output(["podman", "image", "inspect", image]))[0]["Config"]
entrypoint = list(config["Entrypoint"])
assert entrypoint[0] == "java", entrypoint
entrypoint.insert(1, "-XX:AOTCache=app.aot")
workdir = config.get("WorkingDir") or "/"
with open(out, "w") as f:
    f.write(f"FROM {image}\n")
    f.write(f"COPY --chown=185:0 app.aot {workdir.rstrip('/')}/app.aot\n")
    f.write(f"ENTRYPOINT {json.dumps(entrypoint)}\n")
EOF
podman build -q --network host -t "$OUTPUT" -f "$AOT/Containerfile" "$AOT" >/dev/null \
  || fail "podman build of $OUTPUT failed"
echo "ok - built $OUTPUT: $(podman image inspect -f '{{json .Config.Entrypoint}}' "$OUTPUT")"

# ---- it is used: read-only, the JVM's own AOT log, a counted greeting ----------------------------
PORT=$(free_port)
START=$(date +%s%N)
podman run -d --name "$CHECK" --network host --read-only --read-only-tmpfs=false \
  -e JAVA_TOOL_OPTIONS="-Xlog:aot=info" \
  -e PORT="$PORT" -e REDIS_HOST=127.0.0.1 -e REDIS_PORT="$REDIS_PORT" "$OUTPUT" >/dev/null
await "http://127.0.0.1:$PORT/greeting" "$CHECK"
MS=$(( ($(date +%s%N) - START) / 1000000 ))
curl -fs "http://127.0.0.1:$PORT/greeting" | grep -q '"counter":"ok"' || fail "no counted greeting"
podman logs "$CHECK" > "$AOT/check.log" 2>&1
grep -q 'Opened AOT cache app.aot' "$AOT/check.log" || { head -20 "$AOT/check.log"; fail "the JVM did not open the AOT cache"; }
if grep -Eiq 'mismatch|Unable to map|error.*AOT cache|AOT cache.*(disabled|rejected)' "$AOT/check.log"; then
  fail "the AOT cache was rejected: $(grep -Ei 'mismatch|unable|error|disabled|rejected' "$AOT/check.log" | head -3)"
fi
echo "ok - $OUTPUT opened its AOT cache and counted a greeting; first 200 of /greeting $MS ms after podman run"
echo "AOT IMAGE PASSED"
