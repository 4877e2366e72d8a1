# Shell helpers shared by the scripts under src/test/container and src/test/bench.
# Source it after setting ROOT (the project folder); each function fails loudly, never silently.

# A JDK 25 home: $JDK25_HOME, else Temurin's or Debian's under /usr/lib/jvm; empty if none.
jdk25_home() {
  echo "${JDK25_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-openjdk-* 2>/dev/null | head -1 || true)}"
}

# Succeeds when every command named after $1 (how to install them) is on the PATH; otherwise
# prints which one is missing and that hint, and returns 1: why=$(require_tools ...) || fail "$why"
require_tools() {
  local hint=$1 tool; shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$tool is missing ($hint)"; return 1; }
  done
}

# Prints "req/s p50_ms p99_ms non_2xx socket_errors" from the wrk --latency report in the file $1.
wrk_figures() {
  python3 "$ROOT/src/test/bench/wrk_report.py" "$1"
}

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Copies the project, without build output, Git data or node_modules, to the folder $1, so a
# build there cannot disturb the one in $ROOT.
copy_project() {
  mkdir -p "$1"
  (cd "$ROOT" && tar --exclude=./target --exclude=./.git --exclude='*/node_modules' -cf - .) | tar -C "$1" -xf -
}

# Extracts the linux-amd64 redis-server binary that the tests use (org.signal:embedded-redis,
# from the local Maven repository) into the folder $1 and prints its path.
redis_server_binary() {
  local jar
  jar=$(find "${MAVEN_REPO:-$HOME/.m2/repository}/org/signal/embedded-redis" -name 'embedded-redis-*.jar' \
    ! -name '*sources*' -print -quit 2>/dev/null || true)
  [ -n "$jar" ] || { echo "org.signal:embedded-redis is not in the local Maven repository; run ./mvnw verify first" >&2; return 1; }
  (cd "$1" && unzip -o -q "$jar" redis-server-7.0.15-linux-amd64 && chmod +x redis-server-7.0.15-linux-amd64)
  echo "$1/redis-server-7.0.15-linux-amd64"
}

# Polls the URL $1 every 50 ms until it answers 2xx, at most $2 times (default 300, 15 s);
# returns 1 if it never did.
await_http() {
  local _
  for _ in $(seq 1 "${2:-300}"); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}

# Writes the steps and sidecars of the Task file $1 as scripts into the folder $2 (TaskScripts, in
# src/test/java/org/acme/greeting/tekton, on the test class path: run ./mvnw test-compile first);
# the further arguments are its name=value and --env KEY=VALUE settings.
task_scripts() {
  local task=$1 out=$2; shift 2
  [ -d "$ROOT/target/test-classes/org/acme/greeting/tekton" ] || { echo "no test classes; run ./mvnw test-compile" >&2; return 1; }
  (cd "$ROOT" && ./mvnw -q -B -ntp -o dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$out/test-classpath.txt") > "$out/classpath.log" 2>&1 \
    || { cat "$out/classpath.log" >&2; echo "cannot compute the test class path" >&2; return 1; }
  "$(jdk25_home)/bin/java" -cp "$ROOT/target/test-classes:$(cat "$out/test-classpath.txt")" \
    org.acme.greeting.tekton.TaskScripts "$task" "$out" "$@"
}

# Runs a script that task_scripts wrote for a Task's step or sidecar, here on
# this machine: $1 the script, $2 the shell, then the variables whose values this machine keeps
# (the script's own export of them, meant for a pod, is dropped). Runs in the step's workingDir.
run_task_script() {
  local script=$1 shell=$2 drop=() dir; shift 2
  for var in "$@"; do drop+=(-e "/^export $var=/d"); done
  sed "${drop[@]}" "$script" > "${script%.sh}.host.sh"
  dir=$(cat "${script%.sh}.workdir")
  (cd "${dir:-.}" && "$shell" "${script%.sh}.host.sh")
}

# Waits up to 5 s until something listens on 127.0.0.1:$1; returns 1 if nothing did.
await_port() {
  local _
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# Starts the tests' redis-server (unpacked into the folder $1) on a free port of 127.0.0.1 with
# the further arguments given, logging to $2; waits until it listens. Sets REDIS_PORT and adds
# its pid to the caller's PIDS.
start_redis() {
  local dir=$1 log=$2 server; shift 2
  server=$(redis_server_binary "$dir") || return 1
  REDIS_PORT=$(free_port)
  "$server" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" "$@" > "$log" 2>&1 &
  PIDS+=($!)
  await_port "$REDIS_PORT" && return 0
  echo "redis-server did not listen on $REDIS_PORT; see $log" >&2
  return 1
}

# Fails, saying why, unless the JVM log $1 shows that the JVM opened the AOT cache app.aot and
# did not reject it. Start that JVM with -XX:AOTMode=on as well: it logs "Opened AOT cache"
# before it compares the cache with itself, and only then rejects it.
aot_cache_accepted() {
  grep -q 'Opened AOT cache app.aot' "$1" || { echo "the JVM did not open the AOT cache"; return 1; }
  if grep -Eiq 'mismatch|Unable to map|Unable to use AOT cache|error.*AOT cache|AOT cache.*(disabled|rejected)' "$1"; then
    echo "the AOT cache was rejected: $(grep -Ei 'mismatch|unable|error|disabled|rejected' "$1" | head -3)"
    return 1
  fi
}

# ---- the benchmark's JVMs ---------------------------------------------------------------------------
# The image's JVM flags, read from JDK_JAVA_OPTIONS in application.properties, under the Knative
# memory limit of 256Mi, so that the benchmark's figures are the ones a pod would see.
read -r -a BENCH_JVM_FLAGS <<< "-XX:MaxRAM=256m $(sed -n 's/^quarkus\.jib\.environment-variables\."JDK_JAVA_OPTIONS"=//p' \
  "$ROOT/src/main/resources/application.properties")"
[ "${#BENCH_JVM_FLAGS[@]}" -gt 1 ] || { echo "no JDK_JAVA_OPTIONS in application.properties" >&2; return 1; }

# Sets JAR_COMMAND to the command that starts quarkus-run.jar (run from its folder) on port $1
# with those flags, then the further flags given, against the Redis on $REDIS_PORT.
jar_command() {
  local port=$1; shift
  JAR_COMMAND=("$(jdk25_home)/bin/java" "${BENCH_JVM_FLAGS[@]}" "$@" -Dquarkus.http.port="$port" \
    -DREDIS_PORT="$REDIS_PORT" -jar quarkus-run.jar)
}

# Runs that command in the folder $1 for port $2 and further flags; it execs, so run it in the
# background (`run_jar ... &`): $! is then the JVM's pid.
run_jar() {
  local dir=$1; shift
  jar_command "$@"
  cd "$dir" && exec "${JAR_COMMAND[@]}"
}

# Prints one variant of a coldstart_interleaved.py spec, a JSON line: the name $1, run in the
# folder $2, timed to the first 200 of the URL $3, then the command.
spec_entry() {
  python3 -c 'import json, sys; print(json.dumps({"name": sys.argv[1], "cwd": sys.argv[2], "url": sys.argv[3], "command": sys.argv[4:]}))' "$@"
}

# The same for quarkus-run.jar in the folder $2, named $1: jar_command on a free port, with the
# further flags given.
jar_spec_entry() {
  local name=$1 dir=$2 port; shift 2
  port=$(free_port)
  jar_command "$port" "$@"
  spec_entry "$name" "$dir" "http://127.0.0.1:$port/greeting" "${JAR_COMMAND[@]}"
}

# Measures $LAUNCHES cold starts (coldstart.py) of that command in the folder $2 with the further
# flags given; writes coldstart.py's JSON to the file $1.
coldstart_jar() {
  local out=$1 dir=$2 port
  shift 2
  port=$(free_port)
  jar_command "$port" "$@"
  (cd "$dir" && python3 "$ROOT/src/test/bench/coldstart.py" "$LAUNCHES" "http://127.0.0.1:$port/greeting" -- \
      "${JAR_COMMAND[@]}") > "$out"
}

# Puts async-profiler 4.6 (tools.profiler:async-profiler from Maven Central; its jar carries the
# native library) into the folder $1 and prints the library's path.
async_profiler_lib() {
  (cd "$ROOT" && ./mvnw -B -q -ntp dependency:copy -Dartifact=tools.profiler:async-profiler:4.6 -DoutputDirectory="$1") \
    > "$1/maven.log" 2>&1 || { echo "could not get async-profiler; see $1/maven.log" >&2; return 1; }
  unzip -q -o "$1"/async-profiler-*.jar linux-x64/libasyncProfiler.so -d "$1"
  echo "$1/linux-x64/libasyncProfiler.so"
}

# ---- the Python peer (github.com/mohammedx3/DevOps-Challenge, hello.py), never committed here ----
# Its interpreter: Debian's python3, which has python3-tornado and python3-redis.
PEER_PYTHON=${PEER_PYTHON:-/usr/bin/python3}

# Succeeds when the folder $1 is a checkout of the peer that $PEER_PYTHON can run; otherwise prints
# why and returns 1: why=$(peer_check "$PEER") || fail "$why"
peer_check() {
  [ -f "$1/hello.py" ] && [ -d "$1/templates" ] || { echo "$1 is not a checkout of the peer (no hello.py, templates/)"; return 1; }
  "$PEER_PYTHON" -c 'import tornado, redis' 2>/dev/null \
    || { echo "$PEER_PYTHON cannot import tornado and redis (apt-get install python3-tornado python3-redis)"; return 1; }
}

# Sets PEER_COMMAND to the command that runs the peer in the folder $1 on port $2, against the
# Redis on $REDIS_PORT. Its main route is / (it renders the count into its page); it connects to
# Redis and sets its own key, "counter", before it listens.
peer_command() {
  PEER_COMMAND=(env PORT="$2" REDIS_HOST=127.0.0.1 REDIS_PORT="$REDIS_PORT" "$PEER_PYTHON" "$1/hello.py")
}
