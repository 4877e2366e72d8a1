#!/usr/bin/env bash
# Runs the pipeline's Task greeting-aot-image (tekton/tasks/aot-image.yaml) outside a cluster:
# its own step and sidecar scripts, the steps in the image under test with podman, against a
# real redis-server and a real registry. Then runs the image it pushed, read-only, and checks
# that the JVM opens the cache and the function counts.
#
#   bash src/test/container/aot-image.sh IMAGE REGISTRY_PROJECT
#
# IMAGE is in a running registry reachable over plain HTTP (image-check.sh pushes it there and
# calls this script); REGISTRY_PROJECT is a built copy of the project whose Maven runs the push
# step. Writes $IMAGE-aot and tags it localhost/acme/greeting:check-aot for the benchmark.
# What a pod would give differently: the sidecars run on the host (curl, redis-server) rather
# than in their images, and the steps share the host's network instead of the pod's.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../shell/common.sh
. "$ROOT/src/test/shell/common.sh"
WORK="$ROOT/target/image-check"
AOT="$WORK/aot"
TASK="$ROOT/tekton/tasks/aot-image.yaml"
TRAIN=greeting-aot-train
CHECK=greeting-aot-check

fail() { echo "AOT IMAGE FAILED: $*" >&2; exit 1; }
trap 'status=$?; echo "AOT IMAGE FAILED: line $LINENO: $BASH_COMMAND exited $status" >&2' ERR
[ $# = 2 ] || fail "usage: aot-image.sh IMAGE REGISTRY_PROJECT"
IMAGE=$1 PROJECT=$2
TARGET="$IMAGE-aot"
[ -f "$WORK/containers.conf" ] || fail "run src/test/container/image-check.sh (it sets up podman under $WORK)"
export CONTAINERS_CONF="$WORK/containers.conf" CONTAINERS_STORAGE_CONF="$WORK/storage.conf"

PIDS=()
cleanup() {
  podman rm -f "$TRAIN" "$CHECK" >/dev/null 2>&1 || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

rm -rf "$AOT"
mkdir -p "$AOT/scripts" "$AOT/results" "$AOT/docker-config"
chmod 777 "$AOT" # an emptyDir: the steps run as uid 65532
DIGEST=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$IMAGE")
# The Task names images repository:tag@digest, as Kubernetes allows; podman and skopeo want one.
PINNED="${IMAGE%:*}@$DIGEST"
config() { skopeo inspect --config --tls-verify=false "docker://$1"; }
config "$PINNED" > "$AOT/image-config.json"

start_redis "$WORK" "$AOT/redis.log" || fail "no redis-server"
PORT=$(free_port)

# ---- the Task's scripts, with this machine's ports and folders -------------------------------------
# MAVEN_USER_HOME: the push step's Maven wrapper finds this machine's Maven under ~/.m2/wrapper, as
# the Task's finds its own on the kept build volume.
task_scripts "$TASK" "$AOT/scripts" \
  image-url="${IMAGE}" image-digest="$DIGEST" target-image="$TARGET" insecure-registry=true \
  workspaces.source.path="$PROJECT" workspaces.maven-cache.path="$HOME/.m2" \
  workspaces.docker-config.path="$AOT/docker-config" \
  results.IMAGE_URL.path="$AOT/results/IMAGE_URL" results.IMAGE_DIGEST.path="$AOT/results/IMAGE_DIGEST" \
  results.SBOM_SHA256.path="$AOT/results/SBOM_SHA256" \
  --env PORT="$PORT" --env REDIS_PORT="$REDIS_PORT" --env AOT_DIR=/aot --env MAVEN_USER_HOME="$HOME/.m2" \
  || fail "TaskScripts could not write the Task's scripts"

# The Task runs the image's entry point by its param "command" (the steps' COMMAND); they must agree.
COMMAND=$(eval "$(grep '^export COMMAND=' "$AOT/scripts/train.sh")" && printf '%s' "$COMMAND")
python3 - "$COMMAND" "$AOT/image-config.json" <<'EOF' || fail "the Task's command is not the image's entry point"
import json, sys
command = sys.argv[1]
entrypoint = json.load(open(sys.argv[2]))["config"]["Entrypoint"]
assert command.split() == entrypoint, f"Task command {command!r}, image entry point {entrypoint}"
EOF
echo "ok - the Task's command is the image's entry point"
WORKDIR=$(cat "$AOT/scripts/train.workdir")
# NAME SCRIPT: a step of the Task in the image, as the Task's uid, the emptyDir at /aot, held to
# the step's own limits.memory as the kubelet holds a container (podman --memory: the JVM sizes
# its heap from it, and the kernel kills the step past it). The container's cgroup sits in one of
# ours, which keeps the peak of all the step's processes after the container is gone: the figure
# a limit must cover (JDK 25's -XX:AOTCacheOutput starts a second JVM, to write the cache, while
# the trained one is still alive).
in_image() {
  local limit parent peak_file status=0
  limit=$(tr -d '\n' < "$AOT/scripts/$2.memory")
  [ -n "$limit" ] || fail "the Task's step $2 has no memory limit"
  if [ -d /sys/fs/cgroup/memory ]; then
    parent=/sys/fs/cgroup/memory/greeting-aot-$2-$$ peak_file=memory.max_usage_in_bytes
  else
    parent=/sys/fs/cgroup/greeting-aot-$2-$$ peak_file=memory.peak
  fi
  podman run --name "$1" --network host --user 65532 -v "$AOT:/aot" -w "$WORKDIR" \
    --memory "$limit" --memory-swap "$limit" --cgroup-parent "/${parent##*/}" \
    --entrypoint /bin/sh "$PINNED" "/aot/scripts/$2.sh" || status=$?
  if [ -r "$parent/$peak_file" ]; then
    echo "step $2: memory peak $(( $(cat "$parent/$peak_file") / 1048576 )) MiB of its limit $(( limit / 1048576 )) MiB"
  else
    echo "step $2: no $peak_file under $parent to read its memory peak from"
  fi
  find "$parent" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  return "$status"
}

# ---- train: the step in the image, the workload sidecar beside it ---------------------------------
podman pull -q --tls-verify=false "$PINNED" >/dev/null
in_image "$TRAIN" train > "$AOT/train-step.log" 2>&1 &
TRAIN_PID=$!
AOT_DIR="$AOT" run_task_script "$AOT/scripts/workload.sh" sh AOT_DIR > "$AOT/workload.log" 2>&1 &
WORKLOAD_PID=$!
wait "$TRAIN_PID" || { cat "$AOT/train-step.log" "$AOT/workload.log"; fail "the train step failed"; }
wait "$WORKLOAD_PID" || { cat "$AOT/workload.log"; fail "the workload sidecar failed"; }
cat "$AOT/workload.log" "$AOT/train-step.log"
echo "ok - train step: app.aot $(du -h "$AOT/app.aot" | cut -f1); $(grep -m1 "memory peak" "$AOT/train-step.log")"

# ---- check-cache: the JVM must open it with -XX:AOTMode=on -------------------------------------------
# First a cache this image's JVM cannot use (one made by the host's JDK): the step must fail, as
# the JVM logs "Opened AOT cache" before it checks the cache and then rejects it.
podman rm -f "$TRAIN" >/dev/null
mv "$AOT/app.aot" "$AOT/app.aot.trained"
"$(jdk25_home)/bin/java" -XX:AOTCacheOutput="$AOT/app.aot" -version > "$AOT/stranger.log" 2>&1 || fail "no stranger cache"
chmod 644 "$AOT/app.aot"
if in_image "$TRAIN" check-cache > "$AOT/check-stranger.log" 2>&1; then
  cat "$AOT/check-stranger.log"; fail "the check-cache step passed a cache made by another JVM"
fi
grep -q 'Unable to use AOT cache' "$AOT/check-stranger.log" || { cat "$AOT/check-stranger.log"; fail "the check-cache step failed for another reason"; }
echo "ok - check-cache step refuses a cache made by another JVM: $(grep -m1 'not the one used' "$AOT/check-stranger.log" | sed 's/^\[[^]]*\]//')"
podman rm -f "$TRAIN" >/dev/null
mv "$AOT/app.aot.trained" "$AOT/app.aot"
in_image "$TRAIN" check-cache > "$AOT/check-step.log" 2>&1 || { cat "$AOT/check-step.log"; fail "the check-cache step failed"; }
echo "ok - check-cache step: $(grep -m1 "Opened AOT cache" "$AOT/check-step.log"); $(grep -m1 "memory peak" "$AOT/check-step.log")"

# ---- push: the image plus the cache, by the Task's script ---------------------------------------------
# AOT_DIR is the host folder here; HOME stays this user's, for Maven.
AOT_DIR="$AOT" run_task_script "$AOT/scripts/push.sh" bash AOT_DIR HOME > "$AOT/push-step.log" 2>&1 \
  || { tail -40 "$AOT/push-step.log"; fail "the push step failed"; }
grep Pushed "$AOT/push-step.log"
[ "$(cat "$AOT/results/IMAGE_URL")" = "$TARGET" ] || fail "IMAGE_URL result is $(cat "$AOT/results/IMAGE_URL")"
AOT_DIGEST=$(cat "$AOT/results/IMAGE_DIGEST")
[[ $AOT_DIGEST == sha256:* ]] || fail "IMAGE_DIGEST result is $AOT_DIGEST"
echo "ok - push step: results IMAGE_URL $TARGET, IMAGE_DIGEST $AOT_DIGEST"

# ---- what was pushed: the same image plus one layer ------------------------------------------------------
AOT_PINNED="${TARGET%:*}@$AOT_DIGEST"
config "$AOT_PINNED" > "$AOT/aot-config.json"
python3 - "$AOT/image-config.json" "$AOT/aot-config.json" <<'EOF' || fail "the AOT image is not the image plus its cache"
import json, sys
before, after = (json.load(open(f)) for f in sys.argv[1:])
b, a = before["config"], after["config"]
for key in ("Entrypoint", "User", "WorkingDir", "Labels", "ExposedPorts"):
    assert a.get(key) == b.get(key), f"{key}: {b.get(key)} became {a.get(key)}"
env_b, env_a = set(b.get("Env", [])), set(a.get("Env", []))
assert env_a - env_b == {"JAVA_TOOL_OPTIONS=-XX:AOTCache=app.aot"}, env_a ^ env_b
assert env_b <= env_a, env_b - env_a
ids_b, ids_a = before["rootfs"]["diff_ids"], after["rootfs"]["diff_ids"]
assert ids_a[:-1] == ids_b and len(ids_a) == len(ids_b) + 1, (ids_b, ids_a)
print(f"ok - pushed image: the {len(ids_b)} layers of the image, unchanged, plus app.aot; entry point, user, labels kept")
EOF

# ---- run it: read-only, its own JAVA_TOOL_OPTIONS opens the cache, a counted greeting ------------------
podman pull -q --tls-verify=false "$AOT_PINNED" >/dev/null
podman tag "$AOT_PINNED" localhost/acme/greeting:check-aot
FLAGS=$(python3 -c 'import json,sys; print(next(e.split("=",1)[1] for e in json.load(open(sys.argv[1]))["config"]["Env"] if e.startswith("JDK_JAVA_OPTIONS=")))' "$AOT/aot-config.json")
PORT=$(free_port)
START=$(date +%s%N)
podman run -d --name "$CHECK" --network host --read-only --read-only-tmpfs=false \
  -e JDK_JAVA_OPTIONS="$FLAGS -XX:AOTMode=on -Xlog:aot=info" \
  -e PORT="$PORT" -e REDIS_HOST=127.0.0.1 -e REDIS_PORT="$REDIS_PORT" "$AOT_PINNED" >/dev/null
await_http "http://127.0.0.1:$PORT/greeting" 400 || { podman logs "$CHECK" 2>&1 | tail -20; fail "$TARGET did not answer"; }
MS=$(( ($(date +%s%N) - START) / 1000000 ))
curl -fs -o "$AOT/greeting.json" "http://127.0.0.1:$PORT/greeting" && grep -q '"counter":"ok"' "$AOT/greeting.json" \
  || fail "no counted greeting: $(cat "$AOT/greeting.json" 2>/dev/null)"
podman logs "$CHECK" > "$AOT/run.log" 2>&1
grep -q 'Picked up JAVA_TOOL_OPTIONS: -XX:AOTCache=app.aot' "$AOT/run.log" || { head -5 "$AOT/run.log"; fail "the image's JAVA_TOOL_OPTIONS was not used"; }
why=$(aot_cache_accepted "$AOT/run.log") || { head -20 "$AOT/run.log"; fail "$why"; }
echo "ok - $TARGET opened its AOT cache and counted a greeting; first 200 of /greeting $MS ms after podman run"
echo "AOT IMAGE PASSED"
