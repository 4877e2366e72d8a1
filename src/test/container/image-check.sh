#!/usr/bin/env bash
# Builds the container image with Quarkus Jib, pushes it to a real local registry, pulls it and
# runs it with podman against a real redis-server, and checks what Knative will run.
#
#   bash src/test/container/image-check.sh
#
# Needs (Debian): podman runc skopeo docker-registry busybox-static jq, a Temurin/OpenJDK 25 JDK
# (jlink), curl. No Docker daemon. ContainerImageIT runs this script during ./mvnw verify.
#
# Steps: a local stand-in for the production base (registry.access.redhat.com/ubi9/openjdk-25-runtime:
# uid 185, /home/jboss, java on the PATH) is assembled offline from a jlinked JDK 25, busybox and
# the libraries ldd lists; Jib builds on it twice from clean copies of the project; podman runs the
# result with host networking, a read-only root filesystem and no tmpfs, like Knative will.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../shell/common.sh
. "$ROOT/src/test/shell/common.sh"
WORK="$ROOT/target/image-check"
SUMMARY="$WORK/summary.md"
CONTAINER=greeting-image-check
REDIS_PASSWORD="image-check-$RANDOM$RANDOM"
JDK=$(jdk25_home)

fail() { echo "IMAGE CHECK FAILED: $*" >&2; exit 1; }
# A command that stops the script through set -e says which one it was.
trap 'status=$?; echo "IMAGE CHECK FAILED: line $LINENO: $BASH_COMMAND exited $status" >&2' ERR
pass() { echo "ok - $*"; echo "- ok: $*" >> "$SUMMARY"; }

why=$(require_tools "apt-get install podman runc skopeo docker-registry busybox-static curl jq" \
  podman runc skopeo docker-registry busybox curl tar sha256sum unzip python3 jq) || fail "$why"
[ -x "$JDK/bin/jlink" ] || fail "no JDK 25 with jlink found; set JDK25_HOME"

rm -rf "$WORK"
mkdir -p "$WORK"
echo "# Image check, $(date -u +%Y-%m-%dT%H:%MZ)" > "$SUMMARY"

# ---- podman without a daemon: runc, cgroupfs, vfs storage, all under target/ ---------------
cat > "$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
cat > "$WORK/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$WORK/podman-run"
graphroot = "$WORK/podman-storage"
EOF
export CONTAINERS_CONF="$WORK/containers.conf" CONTAINERS_STORAGE_CONF="$WORK/storage.conf"

PIDS=()
cleanup() {
  podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# ---- a real OCI registry on loopback --------------------------------------------------------
REGISTRY_PORT=$(free_port)
REGISTRY="127.0.0.1:$REGISTRY_PORT"
cat > "$WORK/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/registry-data
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
docker-registry serve "$WORK/registry.yml" > "$WORK/registry.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -fs "http://$REGISTRY/v2/" >/dev/null && break; sleep 0.1; done
curl -fs "http://$REGISTRY/v2/" >/dev/null || fail "the registry did not start; see $WORK/registry.log"
pass "registry serving on $REGISTRY"

# ---- the stand-in base image ----------------------------------------------------------------
ROOTFS="$WORK/base-rootfs"
JRE=/usr/lib/jvm/jre
mkdir -p "$ROOTFS"/{bin,usr/bin,usr/lib/jvm,etc,tmp,deployments,home/jboss}
"$JDK/bin/jlink" --add-modules java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,jdk.unsupported,jdk.zipfs,jdk.naming.dns,jdk.management \
  --strip-debug --no-man-pages --no-header-files --generate-cds-archive --output "$ROOTFS$JRE"
cp /usr/bin/busybox "$ROOTFS/bin/busybox"
for applet in sh cat id ls ps sleep grep head tail wc; do ln -s busybox "$ROOTFS/bin/$applet"; done
ln -s "$JRE/bin/java" "$ROOTFS/usr/bin/java"
# The shared libraries the JDK needs, at the paths the dynamic loader looks them up at.
find "$ROOTFS$JRE" \( -name java -o -name '*.so' \) -type f -print0 \
  | xargs -0 -n1 ldd 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | grep -v "^$ROOTFS" | sort -u \
  | while read -r lib; do mkdir -p "$ROOTFS$(dirname "$lib")"; cp -L "$lib" "$ROOTFS$lib"; done
printf 'root:x:0:0:root:/root:/bin/sh\njboss:x:185:0:JBoss user:/home/jboss:/sbin/nologin\n' > "$ROOTFS/etc/passwd"
printf 'root:x:0:\njboss:x:185:\n' > "$ROOTFS/etc/group"
chmod 1777 "$ROOTFS/tmp"
chown -R 185:0 "$ROOTFS/home/jboss" "$ROOTFS/deployments"
tar -C "$ROOTFS" --numeric-owner -cf "$WORK/base-rootfs.tar" .
podman import --change "USER=185" --change "WORKDIR=/home/jboss" \
  --change "ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$JRE/bin" \
  --change "ENV=JAVA_HOME=$JRE" "$WORK/base-rootfs.tar" localhost/greeting-base:25 >/dev/null
podman push -q --tls-verify=false localhost/greeting-base:25 "$REGISTRY/greeting-base:25"
BASE="$REGISTRY/greeting-base:25"
pass "stand-in base $BASE pushed ($(du -sh "$ROOTFS" | cut -f1) on disk)"

# ---- Jib: the same source built twice, from clean copies ------------------------------------
COMMIT=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
IMAGE="$REGISTRY/acme/greeting:check"
build_image() {
  local copy="$WORK/build-$1"
  copy_project "$copy"
  (cd "$copy" && ./mvnw -B -q -ntp package quarkus:dependency-sbom -DskipTests \
      -Dquarkus.container-image.build=true -Dquarkus.container-image.push=true \
      -Dquarkus.container-image.image="$IMAGE" -Dquarkus.container-image.insecure=true \
      -Dquarkus.jib.base-jvm-image="$BASE" \
      -DGIT_COMMIT="$COMMIT" -DGIT_URL=https://example.com/acme/greeting.git) > "$WORK/build-$1.log" 2>&1 \
    || { tail -40 "$WORK/build-$1.log"; fail "Jib build $1 failed"; }
  cat "$copy/target/jib-image.digest"
}
DIGEST1=$(build_image 1)
skopeo copy -q --src-tls-verify=false "docker://$IMAGE" "dir:$WORK/image-1"
DIGEST2=$(build_image 2)
skopeo copy -q --src-tls-verify=false "docker://$IMAGE" "dir:$WORK/image-2"
echo "first build:  $DIGEST1"; echo "second build: $DIGEST2"
{ echo "- first build digest: \`$DIGEST1\`"; echo "- second build digest: \`$DIGEST2\`"; } >> "$SUMMARY"
[ -s "$WORK/build-2/target/jib-image.digest" ] || fail "Jib wrote no digest file (target/jib-image.digest)"
pass "Jib wrote the digest file target/jib-image.digest for the pipeline"

# Layers of a pulled image, as "digest size" lines, in order.
layers() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); [print(l["digest"], l["size"]) for l in m["layers"]]' "$1/manifest.json"; }
if [ "$DIGEST1" = "$DIGEST2" ]; then
  pass "reproducible: both builds gave $DIGEST2"
else
  # Quarkus 3.34 numbers its recorder proxies in build-thread order, so generated-bytecode.jar
  # can differ between builds (fixed upstream by quarkusio/quarkus#53025, after 3.34). Accept
  # only that: every other layer, and every other file, must be identical.
  diff <(layers "$WORK/image-1" | cut -d' ' -f1) <(layers "$WORK/image-2" | cut -d' ' -f1) > "$WORK/layer-diff.txt" || true
  changed=$(grep -c '^>' "$WORK/layer-diff.txt" || true)
  [ "$changed" = 1 ] || { cat "$WORK/layer-diff.txt"; fail "builds differ in $changed layers, expected at most the generated-bytecode layer"; }
  old=$(grep '^<' "$WORK/layer-diff.txt" | cut -c3- | sed 's/sha256://'); new=$(grep '^>' "$WORK/layer-diff.txt" | cut -c3- | sed 's/sha256://')
  mkdir -p "$WORK/l1" "$WORK/l2"
  tar --warning=no-unknown-keyword -C "$WORK/l1" -xzf "$WORK/image-1/$old"; tar --warning=no-unknown-keyword -C "$WORK/l2" -xzf "$WORK/image-2/$new"
  differing=$(diff -rq "$WORK/l1" "$WORK/l2" | sed "s#$WORK/l[12]/##g" || true)
  echo "$differing"
  [ "$(echo "$differing" | grep -vc 'generated-bytecode.jar')" = 0 ] \
    || fail "builds differ beyond quarkus/generated-bytecode.jar: $differing"
  pass "reproducible except quarkus/generated-bytecode.jar (Quarkus 3.34 recorder proxy numbering): all other layers identical"
fi

# ---- the SBOM: the build Task's own sbom step, with what its image holds ------------------------
# alpine/k8s: bash, jq and busybox's applets; nothing else of this machine's is on the PATH.
TOOLBOX="$WORK/sbom-step-bin"
mkdir -p "$TOOLBOX"
for applet in $(busybox --list); do ln -sf "$(command -v busybox)" "$TOOLBOX/$applet"; done
ln -sf "$(command -v bash)" "$TOOLBOX/bash"; ln -sf "$(command -v jq)" "$TOOLBOX/jq"
sbom_step() { # sbom_step N: the step on the copy build-N, leaving its SBOM there
  local scripts="$WORK/sbom-step-$1"
  mkdir -p "$scripts"
  task_scripts "$ROOT/tekton/tasks/jib-build-push.yaml" "$scripts" image=unused tag=unused git-url=unused git-commit=unused \
    workspaces.source.path="$WORK/build-$1" workspaces.maven-cache.path=unused workspaces.docker-config.path=unused \
    results.IMAGE_URL.path="$scripts/IMAGE_URL" results.IMAGE_DIGEST.path="$scripts/IMAGE_DIGEST" \
    results.SBOM_SHA256.path="$scripts/SBOM_SHA256" > "$scripts/task-scripts.log" 2>&1 \
    || { cat "$scripts/task-scripts.log"; fail "TaskScripts could not write the build Task's scripts"; }
  (cd "$WORK/build-$1" && env -i PATH="$TOOLBOX" "$TOOLBOX/bash" "$scripts/sbom.sh") || fail "the sbom step failed on build $1"
}
sbom_step 1
sbom_step 2
SBOM="$WORK/build-2/target/sbom/greeting.cdx.json"
# Stable for a commit: the two builds' SBOMs differ at most where their images do.
if [ "$DIGEST1" = "$DIGEST2" ]; then
  cmp "$WORK/build-1/target/sbom/greeting.cdx.json" "$SBOM" || fail "the same commit gave two SBOMs"
  pass "SBOM stable: both builds wrote the same bytes"
else
  python3 - "$WORK/build-1/target/sbom/greeting.cdx.json" "$SBOM" <<'EOF' || fail "the two builds' SBOMs differ beyond quarkus/generated-bytecode.jar"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
strip = lambda bom: [c for c in bom["components"] if c["name"] != "quarkus/generated-bytecode.jar"]
assert {k: v for k, v in a.items() if k != "components"} == {k: v for k, v in b.items() if k != "components"}, "metadata or dependencies differ"
assert strip(a) == strip(b), "components differ"
EOF
  pass "SBOM stable: both builds' SBOMs are the same but for the hashes of quarkus/generated-bytecode.jar, as are their images"
fi

# ---- the image's config -----------------------------------------------------------------------
CONFIG=$(skopeo inspect --config --tls-verify=false "docker://$IMAGE")
echo "$CONFIG" > "$WORK/image-config.json"
python3 - "$WORK/image-config.json" "$COMMIT" <<'EOF' || fail "image config check failed"
import json, re, sys
config = json.load(open(sys.argv[1]))["config"]
assert config.get("User") == "185", f"user is {config.get('User')!r}, expected 185"
assert "8080/tcp" in config.get("ExposedPorts", {}), config.get("ExposedPorts")
labels = config.get("Labels", {})
for key in ("org.opencontainers.image.source", "org.opencontainers.image.revision", "org.opencontainers.image.version"):
    assert labels.get(key), f"label {key} missing: {labels}"
assert labels["org.opencontainers.image.revision"] == sys.argv[2], labels
assert config.get("Entrypoint", [])[0] == "java" and config["Entrypoint"][-2:] == ["-jar", "quarkus-run.jar"], config.get("Entrypoint")
flags = next((e.split("=", 1)[1] for e in config.get("Env", []) if e.startswith("JDK_JAVA_OPTIONS=")), "")
for flag in ("-XX:MaxRAMPercentage=50", "-XX:InitialRAMPercentage=25", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:-AOTReplayTraining"):
    assert flag in flags.split(), f"{flag} not in JDK_JAVA_OPTIONS {flags!r}"
text = json.dumps(config)
secret = re.search(r"(?i)(password|passwd|secret|token|credential)", text)
assert secret is None, f"the image config mentions {secret.group(0)!r}: {text}"
print("config:", json.dumps({"User": config["User"], "Entrypoint": config["Entrypoint"], "JDK_JAVA_OPTIONS": flags, "Labels": labels}))
EOF
pass "image config: user 185, port 8080, OCI labels (revision $COMMIT), JVM flags, no secret"

# ---- the image's files ------------------------------------------------------------------------
{ echo; echo "| layer | size (bytes) | holds |"; echo "|---|---|---|"; } >> "$SUMMARY"
total=0
while read -r digest size; do
  list="$WORK/layer-${digest:7:12}.txt"
  tar --warning=no-unknown-keyword -tzf "$WORK/image-2/${digest#sha256:}" > "$list"
  if grep -Eq '(^|/)redis-server|embedded-redis|-tests\.jar$|test-classes/|rest-assured' "$list"; then
    fail "layer $digest holds dev/test files: $(grep -E 'redis-server|embedded-redis|-tests\.jar$|test-classes/|rest-assured' "$list" | head -5)"
  fi
  # The two folders holding most of the layer's files, to say what it is.
  what=$(grep -v '/$' "$list" | sed -E 's#^\./##' | awk -F/ '{print $1"/"$2"/"$3}' | sort | uniq -c | sort -rn \
    | awk 'NR <= 2 {print $2}' | paste -sd' ' - || true)
  echo "| ${digest:7:12} | $size | $what |" >> "$SUMMARY"
  total=$((total + size))
done < <(layers "$WORK/image-2")
echo "| total (compressed) | $total | |" >> "$SUMMARY"
sed -n '/| layer/,$p' "$SUMMARY"
pass "no redis-server binary, embedded-redis jar or test jar in any layer"

# ---- run it: host network, read-only root, no tmpfs, against a real Redis ---------------------
start_redis "$WORK" "$WORK/redis.log" --requirepass "$REDIS_PASSWORD" || fail "no redis-server"
APP_PORT=$(free_port)
podman pull -q --tls-verify=false "$IMAGE" >/dev/null
START=$(date +%s%N)
podman run -d --name "$CONTAINER" --network host --read-only --read-only-tmpfs=false \
  -e PORT="$APP_PORT" -e REDIS_HOST=127.0.0.1 -e REDIS_PORT="$REDIS_PORT" -e REDIS_PASSWORD="$REDIS_PASSWORD" \
  -e ENVIRONMENT=image-check -e K_REVISION=greeting-00001 "$IMAGE" >/dev/null
URL="http://127.0.0.1:$APP_PORT"
await_http "$URL/health" || { podman logs "$CONTAINER"; fail "the container did not answer /health"; }
pass "container answers after $(( ($(date +%s%N) - START) / 1000000 )) ms (podman run to first /health 200)"

expect() { # expect STATUS BODY-REGEX curl-args...
  local status=$1 pattern=$2; shift 2
  local out; out=$(curl -s -o "$WORK/body" -w '%{http_code}' "$@")
  [ "$out" = "$status" ] && grep -Eq "$pattern" "$WORK/body" || fail "$* gave $out $(cat "$WORK/body"), expected $status /$pattern/"
}
expect 200 '^\{"status":"UP"\}$' "$URL/health"
expect 200 '"checks":\{"redis":"UP"\}' "$URL/ready"
expect 200 '"message":"Hello, Ada!","count":1,"counter":"ok","environment":"image-check","revision":"greeting-00001"' "$URL/greeting?name=Ada"
expect 200 '"count":2,"counter":"ok"' -H 'Content-Type: application/json' -d '{"name":"Grace"}' "$URL/greeting"
expect 400 '"error":"name has a character' "$URL/greeting?name=%3Cb%3E"
pass "/health, /ready and /greeting answer as the contract says (counts 1 then 2, 400 for bad input)"

uid=$(podman exec "$CONTAINER" cat /proc/1/status | awk '/^Uid:/ {print $2}')
[ "$uid" = 185 ] || fail "the JVM runs as uid $uid"
pass "the JVM runs as uid 185, not root"
# The log goes to a file before grep reads it: grep -q on a pipe stops at its first match, and
# with pipefail the writer's SIGPIPE then fails the pipeline, which made checks fail at random
# and could hide a password that was there.
podman logs "$CONTAINER" > "$WORK/container.log" 2>&1
! grep -q "$REDIS_PASSWORD" "$WORK/container.log" || fail "the Redis password is in the container log"
pass "the Redis password is not in the container log"
grep -q 'Picked up JDK_JAVA_OPTIONS: .*-XX:+UseSerialGC' "$WORK/container.log" \
  || { head -5 "$WORK/container.log"; fail "the JVM did not pick up the image's JDK_JAVA_OPTIONS"; }
pass "the JVM runs with the image's JDK_JAVA_OPTIONS flags"

STOP_START=$(date +%s%N)
podman stop -t 10 "$CONTAINER" >/dev/null
STOP_MS=$(( ($(date +%s%N) - STOP_START) / 1000000 ))
code=$(podman inspect -f '{{.State.ExitCode}}' "$CONTAINER")
podman logs "$CONTAINER" > "$WORK/container.log" 2>&1
grep -q 'stopped in' "$WORK/container.log" || { cat "$WORK/container.log"; fail "no clean Quarkus shutdown in the log"; }
[ "$STOP_MS" -lt 5000 ] || fail "SIGTERM shutdown took $STOP_MS ms"
case "$code" in 0|143) ;; *) fail "exit code $code after SIGTERM" ;; esac
pass "SIGTERM: clean Quarkus shutdown in $STOP_MS ms, exit code $code"

# ---- the image with a JDK 25 AOT cache trained inside it ------------------------------------------
bash "$ROOT/src/test/container/aot-image.sh" "$IMAGE" "$WORK/build-2" | tee "$WORK/aot-image.log" \
  || fail "the AOT image check failed, see $WORK/aot-image.log"
grep -q 'AOT IMAGE PASSED' "$WORK/aot-image.log" || fail "the AOT image check did not pass"
pass "the pipeline's Task greeting-aot-image trained a cache inside the image and pushed an image that opens it ($(grep -o 'first 200.*' "$WORK/aot-image.log"))"

# ---- the pushed image's SBOM: every jar in it, with its hash -----------------------------------------
AOT_DIGEST=$(cat "$WORK/aot/results/IMAGE_DIGEST")
skopeo copy -q --src-tls-verify=false "docker://${IMAGE%:*}@$AOT_DIGEST" "dir:$WORK/image-aot"
mkdir -p "$WORK/image-aot-files"
while read -r digest _; do
  tar --warning=no-unknown-keyword -C "$WORK/image-aot-files" -xzf "$WORK/image-aot/${digest#sha256:}"
done < <(layers "$WORK/image-aot")
python3 - "$WORK/image-aot-files" <<'EOF' | tee -a "$SUMMARY" || fail "the image's SBOM does not match the jars in the image"
import hashlib, json, pathlib, sys
root = pathlib.Path(sys.argv[1])
sbom_file = root / "home/jboss/sbom/greeting.cdx.json"
assert sbom_file.is_file(), "no SBOM at /home/jboss/sbom/greeting.cdx.json in the image"
bom = json.loads(sbom_file.read_text())
assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6", (bom["bomFormat"], bom["specVersion"])
listed = {}
for c in bom["components"]:
    sha = next(h["content"] for h in c["hashes"] if h["alg"] == "SHA-256")
    for occurrence in c["evidence"]["occurrences"]:
        listed[occurrence["location"]] = sha
jars = {"/" + str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (root / "home/jboss").rglob("*.jar")}
missing = sorted(j for j in jars if j not in listed)
wrong = sorted(j for j in jars if j in listed and listed[j] != jars[j])
absent = sorted(l for l in listed if l not in jars)
assert not missing, f"jars in the image but not in its SBOM: {missing}"
assert not wrong, f"jars whose SBOM hash is not theirs: {wrong}"
assert not absent, f"SBOM entries for jars not in the image: {absent}"
removed = [c["purl"] for c in bom["components"] if "embedded-redis" in c.get("purl", "")]
assert not removed, f"the SBOM lists what the prod build removes: {removed}"
built = ["/home/jboss/quarkus-run.jar", "/home/jboss/quarkus/generated-bytecode.jar", "/home/jboss/quarkus/transformed-bytecode.jar"]
assert all(j in listed for j in built) and any(j.startswith("/home/jboss/app/") for j in listed), sorted(listed)
print(f"- SBOM in the image: {len(bom['components'])} components; all {len(jars)} jars under /home/jboss listed with their SHA-256"
      ", quarkus-run.jar, generated-bytecode.jar, transformed-bytecode.jar and app/*.jar among them; no embedded-redis")
EOF
[ "$(sha256sum "$WORK/image-aot-files/home/jboss/sbom/greeting.cdx.json" | cut -d' ' -f1)" = "$(cat "$WORK/aot/results/SBOM_SHA256")" ] \
  || fail "the AOT Task's result SBOM_SHA256 is not the SHA-256 of the SBOM in the image"
cmp -s "$WORK/image-aot-files/home/jboss/sbom/greeting.cdx.json" "$SBOM" || fail "the image's SBOM is not the one the build Task's sbom step wrote"
pass "the pushed image carries the sbom step's SBOM at /home/jboss/sbom/greeting.cdx.json (result SBOM_SHA256 $(cat "$WORK/aot/results/SBOM_SHA256")), listing every jar in it with its hash"

echo "IMAGE CHECK PASSED"
echo "- IMAGE CHECK PASSED" >> "$SUMMARY"
