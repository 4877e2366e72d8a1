# Shell helpers shared by the scripts under src/test/container and src/test/bench/benchmark.sh.
# Source it after setting ROOT (the project folder); each function fails loudly, never silently.

# A JDK 25 home: $JDK25_HOME, else Temurin's or Debian's under /usr/lib/jvm; empty if none.
jdk25_home() {
  echo "${JDK25_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-openjdk-* 2>/dev/null | head -1 || true)}"
}

# The image's JVM flags (JDK_JAVA_OPTIONS in application.properties) under the Knative memory
# limit of 256Mi, so that the benchmark's figures are the ones a pod would see.
BENCH_JVM_FLAGS=(-XX:MaxRAM=256m -XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData)

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
    ! -name '*sources*' 2>/dev/null | head -1)
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

# Runs a script that src/test/container/tekton_step.py wrote for a Task's step or sidecar, here on
# this machine: $1 the script, $2 the shell, then the variables whose values this machine keeps
# (the script's own export of them, meant for a pod, is dropped). Runs in the step's workingDir.
run_task_script() {
  local script=$1 shell=$2 drop=() dir; shift 2
  for var in "$@"; do drop+=(-e "/^export $var=/d"); done
  sed "${drop[@]}" "$script" > "${script%.sh}.host.sh"
  dir=$(cat "${script%.sh}.workdir")
  (cd "${dir:-.}" && "$shell" "${script%.sh}.host.sh")
}
