package org.acme.greeting.tekton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.acme.greeting.support.FileTrees;
import org.acme.greeting.support.Tool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Task greeting-maven-test (tekton/tasks/maven-test.yaml) passes in its image: its own
 * {@code verify} step script, written by {@link TaskScripts} with the Task's default params, runs
 * {@code ./mvnw verify} on a clean copy of this project in a sandbox that holds only what the
 * Task's image holds, {@code eclipse-temurin:25.0.4_7-jdk-noble} pinned by digest (the moving tag
 * {@code 25-jdk} has since moved to Ubuntu 26.04).
 *
 * <p>
 * What the image holds, read from adoptium/containers {@code 25/jdk/ubuntu/noble/Dockerfile}
 * ({@code FROM ubuntu:24.04}; it keeps fontconfig, ca-certificates, p11-kit, binutils, tzdata and
 * locales, and purges wget and gnupg after downloading the JDK; {@code JAVA_HOME=/opt/java/openjdk},
 * {@code PATH=$JAVA_HOME/bin:$PATH}, {@code LANG=en_US.UTF-8}) and from the dpkg list of the built
 * image in docker-library/repo-info {@code repos/eclipse-temurin/local/25-jdk.md}, then noble: of the packages
 * that put commands on the PATH, {@link #IMAGE_PACKAGES}. No curl, wget, git, unzip, python, jq,
 * node, kubectl or redis.
 *
 * <p>
 * The sandbox: a private mount namespace ({@code unshare --mount}; needs root, as CI runs) in
 * which /usr/bin, /usr/sbin, /usr/local/bin and /usr/local/sbin (this host is usr-merged, /bin and
 * /sbin link there) are tmpfs folders holding copies of this host's binaries of those packages only
 * ({@code dpkg -L}; a package this host lacks is simply absent, and the names are Debian
 * bookworm's, which match Ubuntu's for these packages), plus the links the image's alternatives
 * make (awk and nawk to mawk, which). The script runs under {@code env -i} with the image's
 * environment: PATH as the image sets it, JAVA_HOME the JDK 25 running this test (the image's is
 * Temurin 25 at /opt/java/openjdk), LANG and LC_ALL C.UTF-8 (en_US.UTF-8 in the image, which this
 * host has not generated; both UTF-8). The Task's workspaces: {@code source} a copy of the project
 * without target/, .git and node_modules; {@code maven-cache} a folder whose {@code repository}
 * links to this host's ~/.m2/repository and whose {@code wrapper/wrapper} to ~/.m2/wrapper (the
 * step's MAVEN_USER_HOME is {@code maven-cache/wrapper}), as a kept build volume holds them.
 * HOME is an empty folder (the Task's /tekton/home, an emptyDir, cannot be made here). The step
 * runs in a memory cgroup holding it to the step's own {@code limits.memory}, as the kubelet holds
 * the container: every process of the step shares it, and each JVM sizes its heap from it (with
 * 3Gi, the first {@code @QuarkusTest} JVM ran out of heap while Quarkus instrumented classes for
 * JaCoCo).
 *
 * <p>
 * Not the same as the pod: the step runs as root here (uid 65532 there), with this machine's two
 * cores (a 1-CPU request there), on Debian's binaries rather
 * than Ubuntu's. It runs the whole JDK-only tier of the copy, a few minutes; the output goes to
 * target/maven-test-task.log. Runs only on JDK 25, the image's JDK (CI's second pass).
 */
@Tag("tools")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MavenTestTaskIT {

    private static final int IMAGE_JDK = 25;
    private static final Path TASK = Path.of("tekton", "tasks", "maven-test.yaml");
    private static final Path WORK = Path.of("target", "maven-test-task").toAbsolutePath();
    private static final Path LOG = Path.of("target", "maven-test-task.log").toAbsolutePath();

    /**
     * The packages of eclipse-temurin:25.0.4_7-jdk-noble (Ubuntu noble) that put commands on the PATH; binutils'
     * commands are links to its architecture's package.
     */
    static final List<String> IMAGE_PACKAGES = List.of("bash", "dash", "coreutils", "findutils", "grep", "sed", "mawk",
            "tar", "gzip", "diffutils", "procps", "sysvinit-utils", "hostname", "debianutils", "perl-base", "util-linux",
            "bsdutils", "mount", "libc-bin", "locales", "ncurses-bin", "openssl", "ca-certificates", "p11-kit", "fontconfig",
            "binutils", "binutils-x86-64-linux-gnu", "binutils-aarch64-linux-gnu", "gpgv", "dpkg", "apt", "passwd", "login",
            "adduser", "e2fsprogs");
    /** Links the image's alternatives make, name to target, in /usr/bin. */
    private static final Map<String, String> ALTERNATIVES = Map.of("awk", "mawk", "nawk", "mawk", "which", "which.debianutils");
    /** What the image does not have and the tools tier needs: the sandbox must not have them either. */
    static final List<String> ABSENT = List.of("redis-server", "redis-sentinel", "redis-cli", "prometheus", "promtool", "podman",
            "skopeo", "runc", "jq", "kubectl", "node", "npm", "python3", "git", "curl", "wget", "unzip");
    /** Commands of the image the step and the wrapper use; the sandbox must have them. */
    private static final List<String> PRESENT = List.of("bash", "sh", "env", "uname", "sed", "awk", "grep", "find", "tar",
            "gzip", "ps", "kill", "perl", "openssl", "which", "objcopy");
    private static final Pattern ON_PATH = Pattern.compile("/(usr/)?(local/)?s?bin/[^/]+");
    private static final List<String> BIN_DIRS = List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin");

    private static Path scripts;
    private static String javaHome;

    @BeforeAll
    static void sandbox() throws IOException {
        if (Runtime.version().feature() != IMAGE_JDK) {
            return; // each test says why it is skipped
        }
        if (!Files.isSymbolicLink(Path.of("/bin"))) {
            fail("the sandbox is made for a usr-merged Linux (/bin a link to /usr/bin), as CI's Debian is");
        }
        if (!"0".equals(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")))) {
            fail("the sandbox needs root, to make a mount namespace with unshare --mount (CI runs as root)");
        }
        javaHome = System.getProperty("java.home");
        FileTrees.delete(WORK);
        Path source = WORK.resolve("source");
        FileTrees.copyProject(source);
        Path home = Files.createDirectories(WORK.resolve("home"));
        Path cache = Files.createDirectories(WORK.resolve("maven-cache"));
        Path m2 = Path.of(System.getProperty("user.home"), ".m2");
        Files.createSymbolicLink(cache.resolve("repository"), Files.createDirectories(m2.resolve("repository")));
        Files.createSymbolicLink(Files.createDirectories(cache.resolve("wrapper")).resolve("wrapper"),
                Files.createDirectories(m2.resolve("wrapper")));
        scripts = Files.createDirectories(WORK.resolve("scripts"));
        List<String> written = TaskScripts.write(TASK, scripts,
                Map.of("workspaces.source.path", source.toString(), "workspaces.maven-cache.path", cache.toString()),
                Map.of("HOME", home.toString()));
        assertEquals(List.of("verify"), written, "the Task has one step");
        // Run as a pod runs it: by its shebang (#!/usr/bin/env bash), so env and bash must be there.
        Files.setPosixFilePermissions(scripts.resolve("verify.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        writeSandbox();
    }

    @BeforeEach
    void onTheImagesJdk() {
        Assumptions.assumeTrue(Runtime.version().feature() == IMAGE_JDK, "the Task's image runs JDK " + IMAGE_JDK
                + ", these tests run on JDK " + Runtime.version().feature() + "; run them with JAVA_HOME set to a JDK "
                + IMAGE_JDK + " (CI does, in its second pass)");
    }

    /** The sandbox, quickly: the image's commands and none of the tools; the wrapper's Maven and the JDK start. */
    @Test
    @Order(1)
    void theSandboxHoldsTheImagesCommandsAndTheWrapperAndJavaRun() throws IOException {
        StringBuilder probe = new StringBuilder();
        for (String command : PRESENT) {
            probe.append("command -v ").append(command).append(" >/dev/null || { echo \"MISSING: ").append(command)
                    .append("\"; exit 1; }\n");
        }
        // The step's own environment (its exports), then its Maven wrapper, asked only for versions.
        probe.append("eval \"$(grep '^export ' ").append(scripts.resolve("verify.sh")).append(")\"\n")
                .append("./mvnw -B -ntp -Dmaven.repo.local=\"$MAVEN_REPO\" -v\n")
                .append("java -version 2>&1\n");
        Tool.Result result = inSandbox(probe.toString(), Duration.ofMinutes(2));
        System.out.println(result.output());
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("Apache Maven "), result.output());
        assertTrue(Pattern.compile("Java version: " + IMAGE_JDK + "\\b").matcher(result.output()).find(), result.output());
        assertTrue(result.output().contains("version \"" + IMAGE_JDK), result.output());
    }

    /** The Task's step itself: ./mvnw verify of the copy, the whole JDK-only tier, passes. */
    @Test
    @Order(2)
    void theVerifyStepPassesInTheImagesSandbox() throws IOException {
        long start = System.nanoTime();
        Tool.Result result = inSandbox(scripts.resolve("verify.sh") + "\n", Duration.ofMinutes(20));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        List<String> summaries = new ArrayList<>();
        for (String line : result.output().lines().toList()) {
            if (line.startsWith("sandbox: memory") || line.contains("Tests run:") && !line.contains(" -- in ")
                    && !line.contains("Time elapsed")) {
                summaries.add(line);
            }
        }
        System.out.printf("greeting-maven-test's verify step in the image's sandbox: exit %d after %d s (log: %s)%n",
                result.exitCode(), took.toSeconds(), LOG);
        summaries.forEach(System.out::println);
        assertEquals(0, result.exitCode(), "the step failed; see " + LOG);
        assertTrue(result.output().contains("BUILD SUCCESS"), "no BUILD SUCCESS; see " + LOG);
    }

    /**
     * Runs the commands, after the check that none of {@link #ABSENT} is on the PATH, in the
     * step's working directory inside the sandbox; the output also goes to the log as it comes.
     */
    private static Tool.Result inSandbox(String commands, Duration timeout) throws IOException {
        Path inside = WORK.resolve("inside.sh");
        String workdir = Files.readString(scripts.resolve("verify.workdir"), StandardCharsets.UTF_8).strip();
        Files.writeString(inside, "set -eu\n"
                + "found=''\n"
                + "for tool in " + String.join(" ", ABSENT) + "; do\n"
                + "  if where=$(command -v \"$tool\"); then found=\"$found $tool ($where)\"; fi\n"
                + "done\n"
                + "[ -z \"$found\" ] || { echo \"SANDBOX LEAK: the image has no$found\"; exit 97; }\n"
                + "echo \"sandbox: none of " + String.join(" ", ABSENT) + " on PATH=$PATH\"\n"
                + "cd " + TaskScripts.quote(workdir) + "\n"
                + commands);
        Files.deleteIfExists(LOG);
        Tool.Result result = Tool.run(WORK, List.of("unshare", "--mount", "--propagation", "private", "bash",
                WORK.resolve("sandbox.sh").toString(), inside.toString(), LOG.toString()), Map.of(), timeout);
        removeEmptiedCgroups();
        if (result.output().contains("SANDBOX LEAK")) {
            fail(result.output().lines().filter(l -> l.contains("SANDBOX LEAK")).findFirst().orElseThrow());
        }
        return result;
    }

    /** The memory cgroups the sandbox made, once their processes are gone (rmdir removes an empty cgroup). */
    private static void removeEmptiedCgroups() throws IOException {
        for (Path root : List.of(Path.of("/sys/fs/cgroup/memory"), Path.of("/sys/fs/cgroup"))) {
            if (Files.isDirectory(root)) {
                try (var groups = Files.list(root)) {
                    for (Path group : groups.filter(g -> g.getFileName().toString().startsWith("maven-test-task-")).toList()) {
                        try {
                            Files.deleteIfExists(group);
                        } catch (IOException stillInUse) {
                            // a process of the step outlived it: the group stays, and is harmless
                        }
                    }
                }
            }
        }
    }

    /** The verify step's memory limit in bytes (computeResources.limits.memory). */
    private static long memoryLimitBytes() throws IOException {
        long limit = TaskScripts.memoryLimitBytes(TektonFiles.YAML.readTree(TASK.toFile()).path("spec").path("steps").get(0));
        assertTrue(limit > 0, "the verify step has a memory limit");
        return limit;
    }

    /**
     * Writes sandbox.sh: in the new mount namespace, fills tmpfs folders with the allowed binaries,
     * mounts them over the host's, then runs its first argument with bash under env -i, teeing the
     * output to its second.
     */
    private static void writeSandbox() throws IOException {
        Set<String> allowed = new TreeSet<>();
        List<String> notHere = new ArrayList<>();
        for (String pkg : IMAGE_PACKAGES) {
            // One package at a time: dpkg's complaint about a missing one would land amid another's list.
            Tool.Result listed = Tool.run(WORK, List.of("dpkg", "-L", pkg));
            if (listed.exitCode() != 0) {
                notHere.add(pkg);
                continue;
            }
            for (String line : listed.output().lines().toList()) {
                if (ON_PATH.matcher(line).matches()) {
                    allowed.add(line.startsWith("/usr/") ? line : "/usr" + line);
                }
            }
        }
        System.out.printf("sandbox: %d commands of %d packages%s%n", allowed.size(), IMAGE_PACKAGES.size() - notHere.size(),
                notHere.isEmpty() ? "" : "; not on this host: " + notHere);
        assertTrue(allowed.contains("/usr/bin/bash") && allowed.contains("/usr/bin/env"), "dpkg -L listed: " + allowed);
        Files.write(WORK.resolve("allowed.txt"), allowed);

        String path = javaHome + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        StringBuilder script = new StringBuilder("""
                # Written by MavenTestTaskIT; run in a private mount namespace: unshare --mount bash sandbox.sh INSIDE LOG
                set -euo pipefail
                inside=$1 log=$2
                stage=%s
                for dir in %s; do
                  mkdir -p "$stage$dir"
                  mount -t tmpfs -o mode=0755 tmpfs "$stage$dir"
                done
                while IFS= read -r file; do
                  if [ -e "$file" ] || [ -L "$file" ]; then cp -a "$file" "$stage$file"; fi
                done < %s
                """.formatted(TaskScripts.quote(WORK.resolve("stage").toString()), String.join(" ", BIN_DIRS),
                TaskScripts.quote(WORK.resolve("allowed.txt").toString())));
        ALTERNATIVES.forEach((name, target) -> script.append("ln -sfn ").append(target).append(" \"$stage/usr/bin/")
                .append(name).append("\"\n"));
        script.append("for dir in ").append(String.join(" ", BIN_DIRS)).append("; do mount --bind \"$stage$dir\" \"$dir\"; done\n");
        // The step's memory limit, as the kubelet sets it on the container's cgroup: every process of
        // the step (Maven, the test JVMs, the packaged application, Redis, dev mode) shares it, and
        // each JVM sizes its default heap from it.
        script.append("limit=").append(memoryLimitBytes()).append('\n').append("""
                if [ -d /sys/fs/cgroup/memory ]; then
                  cg=/sys/fs/cgroup/memory/maven-test-task-$$ limit_file=memory.limit_in_bytes peak_file=memory.max_usage_in_bytes
                elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
                  echo +memory > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
                  cg=/sys/fs/cgroup/maven-test-task-$$ limit_file=memory.max peak_file=memory.peak
                else
                  echo "SANDBOX: no memory cgroup here to hold the step to its limit"; exit 96
                fi
                mkdir -p "$cg" && echo "$limit" > "$cg/$limit_file" && echo $$ > "$cg/cgroup.procs"
                echo "sandbox: the step's memory limit, $limit bytes, on cgroup $cg"
                """);
        // The step's own status is read after the pipeline, so the peak is reported either way.
        script.append("set +e\n");
        script.append("env -i PATH=").append(TaskScripts.quote(path))
                .append(" JAVA_HOME=").append(TaskScripts.quote(javaHome))
                .append(" JAVA_VERSION=").append(TaskScripts.quote("jdk-" + Runtime.version()))
                .append(" HOME=").append(TaskScripts.quote(WORK.resolve("home").toString()))
                .append(" LANG=C.UTF-8 LANGUAGE=en_US:en LC_ALL=C.UTF-8")
                .append(" bash \"$inside\" 2>&1 | tee \"$log\"\n");
        script.append("""
                status=${PIPESTATUS[0]}
                echo "sandbox: memory peak $(( $(cat "$cg/$peak_file") / 1048576 )) MiB of the step's $(( limit / 1048576 )) MiB" | tee -a "$log"
                exit "$status"
                """);
        Files.writeString(WORK.resolve("sandbox.sh"), script);
    }
}
