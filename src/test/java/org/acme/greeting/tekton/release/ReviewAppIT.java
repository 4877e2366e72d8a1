package org.acme.greeting.tekton.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.acme.greeting.support.FileTrees;
import org.acme.greeting.support.RedisServerProcess;
import org.acme.greeting.support.RedisTestResource;
import org.acme.greeting.support.Tool;
import org.acme.greeting.tekton.StepToolbox;
import org.acme.greeting.tekton.TaskScripts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The review apps of pull requests (tekton/tasks/review-deploy.yaml and review-cleanup.yaml):
 * each step's own script, run with only what its image holds (busybox's applets plus bash, jq
 * and kubectl for alpine/k8s; busybox's applets plus redis-cli for redis:alpine), against the API
 * server stand-in with the review ServiceAccount's RBAC (tekton/review/rbac.yaml), the Knative
 * Serving stand-in, and a real redis-server with a password for the counter keys. Needs kubectl,
 * jq, busybox and redis-cli (tag "tools").
 */
@Tag("tools")
class ReviewAppIT {

    private static final String REVIEW = "greeting-review";
    private static final String COMMIT_A = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    private static final String COMMIT_B = "b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80";
    private static final String OPENED = "2026-11-30T10:15:02Z";
    private static final String PUSHED = "2026-11-30T11:02:41Z";
    private static final String CLOSED = "2026-11-30T16:45:09Z";
    private static final String REOPENED = "2026-12-01T09:30:12Z";
    private static final String PASSWORD = "review-Pw-5d1e";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private ApiServerStandIn api;
    private KnativeServingStandIn knative;
    private RedisServerProcess redis;
    private RbacAuthorizer rbac;
    private Path kubeconfig;
    private Path source;

    @BeforeEach
    void cluster() throws IOException {
        Tool.require("bash", "jq", "kubectl", "busybox", "redis-cli");
        api = new ApiServerStandIn();
        knative = new KnativeServingStandIn(api);
        // Every RBAC object under tekton/, as installed: the review account's rights, and nothing of the release's.
        Path rbacFile = tmp.resolve("rbac.yaml");
        StringBuilder all = new StringBuilder();
        for (Path file : List.of(Path.of("tekton", "rbac.yaml"), Path.of("tekton", "triggers", "rbac.yaml"), Path.of("tekton", "review", "rbac.yaml"))) {
            all.append(Files.readString(file)).append("\n---\n");
        }
        Files.writeString(rbacFile, all);
        this.rbac = RbacAuthorizer.of(rbacFile, "greeting-cicd", "greeting-review", object -> object);
        api.authorize(this.rbac);
        kubeconfig = api.writeKubeconfig(tmp.resolve("kubeconfig"));
        source = tmp.resolve("source");
        FileTrees.copy(Path.of("knative"), source.resolve("knative"));
        redis = RedisServerProcess.start(RedisTestResource.freePort(), Files.createDirectories(tmp.resolve("redis")), "--requirepass", PASSWORD);
    }

    @AfterEach
    void stop() {
        redis.close();
        knative.close();
        api.close();
    }

    @Test
    void aPullRequestGetsItsOwnClusterLocalServiceCountingUnderItsOwnKeyScaledToZero() {
        Deploy deployed = deploy(42, OPENED, COMMIT_A);
        assertEquals(0, deployed.exitCode(), deployed.output());
        assertEquals("true", deployed.deployed());
        assertEquals("http://greeting-pr-42.greeting-review.svc.cluster.local", deployed.url(), "cluster-local by default");
        assertEquals("greeting-pr-42-00001", deployed.revision());
        JsonNode service = service(42);
        assertEquals("cluster-local", service.at("/metadata/labels").path(KnativeServingStandIn.VISIBILITY).asText());
        assertEquals("42", service.at("/metadata/labels").path("greeting.acme.org/pull-request").asText());
        assertEquals(COMMIT_A, service.at("/metadata/annotations").path("greeting.acme.org/commit").asText());
        JsonNode template = service.at("/spec/template");
        assertEquals("0", template.at("/metadata/annotations").path("autoscaling.knative.dev/min-scale").asText());
        assertEquals("2", template.at("/metadata/annotations").path("autoscaling.knative.dev/max-scale").asText());
        JsonNode container = template.at("/spec/containers/0");
        assertEquals("registry.example.com/acme/greeting-review@" + digest(COMMIT_A), container.path("image").asText());
        assertEquals("greeting:pr-42:count", env(container, "GREETING_COUNTER_KEY"));
        assertEquals("review", env(container, "ENVIRONMENT"));
        assertTrue(service.at("/spec/traffic").isMissingNode(), "the latest revision takes all traffic: " + service.at("/spec/traffic"));
    }

    @Test
    void aNewerPushReplacesTheReviewAppAndAnOlderRunThatFinishesLaterChangesNothing() {
        assertEquals("true", deploy(42, OPENED, COMMIT_A).deployed());
        Deploy newer = deploy(42, PUSHED, COMMIT_B);
        assertEquals("true", newer.deployed(), newer.output());
        assertEquals(COMMIT_B, service(42).at("/metadata/annotations").path("greeting.acme.org/commit").asText());

        Deploy stale = deploy(42, OPENED, COMMIT_A);
        assertEquals(0, stale.exitCode(), stale.output());
        assertEquals("false", stale.deployed(), "a stale run says so, and the pipeline skips its API test");
        assertEquals("", stale.url());
        assertTrue(stale.output().contains("not deploying " + COMMIT_A + " (event of " + OPENED + "): greeting-pr-42 already runs "
                + COMMIT_B + ", of " + PUSHED), stale.output());
        assertEquals(COMMIT_B, service(42).at("/metadata/annotations").path("greeting.acme.org/commit").asText());
        assertTrue(service(42).at("/spec/template/spec/containers/0/image").asText().endsWith(digest(COMMIT_B)));
    }

    @Test
    void twoPushesRacingEndWithTheNewerCommitServingWhicheverWritesFirst() {
        for (int round = 0; round < 3; round++) {
            int pr = 50 + round;
            CompletableFuture<Deploy> older = CompletableFuture.supplyAsync(() -> deploy(pr, OPENED, COMMIT_A));
            CompletableFuture<Deploy> newer = CompletableFuture.supplyAsync(() -> deploy(pr, PUSHED, COMMIT_B));
            Deploy b = newer.join();
            Deploy a = older.join();
            assertEquals(0, a.exitCode(), a.output());
            assertEquals(0, b.exitCode(), b.output());
            assertEquals("true", b.deployed(), b.output());
            assertEquals(COMMIT_B, service(pr).at("/metadata/annotations").path("greeting.acme.org/commit").asText(), "round " + round);
            assertTrue(service(pr).at("/spec/template/spec/containers/0/image").asText().endsWith(digest(COMMIT_B)));
        }
    }

    @Test
    void closingRemovesTheAppAndOnlyItsCounterKeyAndALateDeployDoesNotBringItBackButAReopenDoes() {
        assertEquals("true", deploy(42, OPENED, COMMIT_A).deployed());
        redisCli("SET", "greeting:pr-42:count", "7");
        redisCli("SET", "greeting:pr-43:count", "3");
        redisCli("SET", "greeting:count", "1000");

        Cleanup closed = cleanup(42, CLOSED, PASSWORD);
        assertEquals(0, closed.forgetApp().exitCode(), closed.forgetApp().output());
        assertEquals(0, closed.forgetCounter().exitCode(), closed.forgetCounter().output());
        assertTrue(closed.forgetCounter().output().contains("deleted the counter key greeting:pr-42:count (1 key)"),
                closed.forgetCounter().output());
        assertNull(api.get(ApiServerStandIn.KSVC, REVIEW, "greeting-pr-42"));
        assertEquals("", redisCli("GET", "greeting:pr-42:count"));
        assertEquals("3", redisCli("GET", "greeting:pr-43:count"), "another pull request's count stays");
        assertEquals("1000", redisCli("GET", "greeting:count"));

        Deploy late = deploy(42, PUSHED, COMMIT_B);
        assertEquals("false", late.deployed(), late.output());
        assertTrue(late.output().contains("the pull request was closed at " + CLOSED), late.output());
        assertNull(api.get(ApiServerStandIn.KSVC, REVIEW, "greeting-pr-42"), "a run of an event before the closing brings nothing back");

        Deploy reopened = deploy(42, REOPENED, COMMIT_B);
        assertEquals("true", reopened.deployed(), reopened.output());
        assertNotNull(api.get(ApiServerStandIn.KSVC, REVIEW, "greeting-pr-42"));
        assertNull(api.get(ApiServerStandIn.CONFIGMAP, REVIEW, "greeting-pr-42-closed"), "the reopen clears the closing");
    }

    /**
     * The cleanup runs between a late deploy's check of the closing and its write: it records
     * the closing and finds no Service to delete. The deploy's write then lands after the
     * cleanup, so the deploy itself removes it again.
     */
    @Test
    void aDeployThatWritesJustAfterTheCleanupRanRemovesItsWriteAgain() {
        api.admission((kind, old, updated) -> {
            if (kind.equals(ApiServerStandIn.KSVC) && old == null
                    && api.get(ApiServerStandIn.CONFIGMAP, REVIEW, "greeting-pr-42-closed") == null) {
                ObjectNode closing = JSON.createObjectNode();
                closing.put("apiVersion", "v1").put("kind", "ConfigMap");
                closing.putObject("metadata").put("name", "greeting-pr-42-closed").put("namespace", REVIEW)
                        .putObject("annotations").put("greeting.acme.org/pr-updated-at", CLOSED);
                api.create(ApiServerStandIn.CONFIGMAP, closing);
            }
            return null;
        });
        Deploy late = deploy(42, PUSHED, COMMIT_B);
        assertEquals(0, late.exitCode(), late.output());
        assertEquals("false", late.deployed(), late.output());
        assertTrue(late.output().contains("the pull request was closed at " + CLOSED + " while this run wrote greeting-pr-42; removed it again"),
                late.output());
        assertNull(api.get(ApiServerStandIn.KSVC, REVIEW, "greeting-pr-42"));
    }

    @Test
    void aReviewAppThatFailedHalfWayIsCleanedUpAndSoIsOneThatNeverExisted() {
        knative.failRevisionsWhere(revision -> "Container failed with: Error: could not find or load main class io.quarkus.bootstrap.runner.QuarkusEntryPoint");
        Deploy failed = deploy(42, OPENED, COMMIT_A);
        assertNotEquals(0, failed.exitCode(), failed.output());
        assertTrue(failed.output().contains("REVIEW DEPLOY FAILED (pull request 42): greeting-pr-42 did not start: Revision \"greeting-pr-42-00001\""
                + " failed with message: Container failed with"), failed.output());
        assertNotNull(api.get(ApiServerStandIn.KSVC, REVIEW, "greeting-pr-42"), "left half-way");

        Cleanup closed = cleanup(42, CLOSED, PASSWORD);
        assertEquals(0, closed.forgetApp().exitCode(), closed.forgetApp().output());
        assertEquals(0, closed.forgetCounter().exitCode(), closed.forgetCounter().output());
        assertNull(api.get(ApiServerStandIn.KSVC, REVIEW, "greeting-pr-42"));
        assertTrue(closed.forgetCounter().output().contains("(0 key)"), closed.forgetCounter().output());

        Cleanup nothing = cleanup(77, CLOSED, PASSWORD);
        assertEquals(0, nothing.forgetApp().exitCode(), nothing.forgetApp().output());
        assertEquals(0, nothing.forgetCounter().exitCode(), nothing.forgetCounter().output());
    }

    /**
     * An older closing is on record and cannot be read (here: a get refused): the cleanup fails
     * there, and deletes nothing, rather than go on without a record a late deploy would check.
     */
    @Test
    void aCleanupThatCannotRecordTheClosingFailsBeforeDeletingAnything() {
        assertEquals("true", deploy(42, OPENED, COMMIT_A).deployed());
        ObjectNode closing = JSON.createObjectNode();
        closing.put("apiVersion", "v1").put("kind", "ConfigMap");
        closing.putObject("metadata").put("name", "greeting-pr-42-closed").put("namespace", REVIEW)
                .putObject("annotations").put("greeting.acme.org/pr-updated-at", PUSHED);
        api.create(ApiServerStandIn.CONFIGMAP, closing);
        api.authorize((method, watch, kind, namespace, name) -> kind.equals(ApiServerStandIn.CONFIGMAP) && method.equals("GET")
                ? "configmaps \"" + name + "\" is forbidden: get refused by this test"
                : rbac.denied(method, watch, kind, namespace, name));

        Cleanup closed = cleanup(42, CLOSED, PASSWORD);
        assertNotEquals(0, closed.forgetApp().exitCode(), closed.forgetApp().output());
        assertTrue(closed.forgetApp().output().contains("get refused by this test"), closed.forgetApp().output());
        assertTrue(closed.forgetApp().output().contains("REVIEW CLEANUP FAILED (pull request 42): could not record the closing"),
                closed.forgetApp().output());
        assertNotNull(api.get(ApiServerStandIn.KSVC, REVIEW, "greeting-pr-42"), "nothing deleted without the record");
    }

    @Test
    void aCleanupThatCannotReachRedisFailsAndNamesIt() {
        Cleanup wrong = cleanup(42, CLOSED, "not-the-password");
        assertNotEquals(0, wrong.forgetCounter().exitCode(), wrong.forgetCounter().output());
        assertTrue(wrong.forgetCounter().output().contains("REVIEW CLEANUP FAILED (pull request 42): Redis at 127.0.0.1 answered: "),
                wrong.forgetCounter().output());
        assertTrue(wrong.forgetCounter().output().contains("WRONGPASS") || wrong.forgetCounter().output().contains("NOAUTH"),
                wrong.forgetCounter().output());
        assertTrue(!wrong.forgetCounter().output().contains("not-the-password"), "the password is never printed");
    }

    /**
     * The review ServiceAccount has no rights in dev or prod: no request on what a release touches
     * is authorized there, and a run pointed there is refused by the API server.
     */
    @Test
    void theReviewAccountCannotWriteToDevOrProd() {
        for (String namespace : List.of("greeting-dev", "greeting-prod")) {
            for (ApiServerStandIn.Kind kind : List.of(ApiServerStandIn.KSVC, ApiServerStandIn.REVISION, ApiServerStandIn.LEASE,
                    ApiServerStandIn.SERVICE, ApiServerStandIn.CONFIGMAP)) {
                for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
                    assertNotNull(rbac.denied(method, false, kind, namespace, method.equals("POST") ? null : "greeting"),
                            method + " " + kind.qualified() + " in " + namespace + " is allowed to the review account");
                }
            }
            Deploy refused = run(42, OPENED, COMMIT_A, Map.of("namespace", namespace));
            assertNotEquals(0, refused.exitCode(), refused.output());
            assertTrue(refused.output().contains("is forbidden: User \"system:serviceaccount:greeting-cicd:greeting-review\""),
                    refused.output());
            assertNull(api.get(ApiServerStandIn.KSVC, namespace, "greeting-pr-42"));
        }
    }

    @Test
    void aPullRequestNumberOrTimeThatIsNotOneIsRefusedBeforeAnyWrite() {
        Deploy badNumber = run(0, OPENED, COMMIT_A, Map.of("pr-number", "42; kubectl delete ksvc --all"));
        assertNotEquals(0, badNumber.exitCode());
        assertTrue(badNumber.output().contains("pr-number must be a pull request number"), badNumber.output());
        Deploy badTime = run(42, "yesterday", COMMIT_A, Map.of());
        assertNotEquals(0, badTime.exitCode());
        assertTrue(badTime.output().contains("updated-at must be a time like 2026-11-30T10:15:02Z"), badTime.output());
        assertTrue(api.writes().isEmpty(), "nothing written: " + api.writes());
    }

    // ---- running the steps ------------------------------------------------------------------

    record Deploy(int exitCode, String output, String deployed, String url, String revision) {
    }

    record Cleanup(Tool.Result forgetApp, Tool.Result forgetCounter) {
    }

    private Deploy deploy(int pr, String updatedAt, String commit) {
        return run(pr, updatedAt, commit, Map.of());
    }

    private Deploy run(int pr, String updatedAt, String commit, Map<String, String> overrides) {
        try {
            Path dir = Files.createTempDirectory(tmp, "deploy-");
            Path results = Files.createDirectories(dir.resolve("results"));
            Map<String, String> values = new HashMap<>();
            values.put("pr-number", String.valueOf(pr));
            values.put("updated-at", updatedAt);
            values.put("commit", commit);
            values.put("image-url", "registry.example.com/acme/greeting-review:pr-" + pr + "-" + commit.substring(0, 7));
            values.put("image-digest", digest(commit));
            values.put("poll-seconds", "0.2");
            values.put("timeout-seconds", "30");
            values.put("workspaces.source.path", source.toString());
            for (String result : List.of("deployed", "url", "revision")) {
                values.put("results." + result + ".path", results.resolve(result).toString());
            }
            values.putAll(overrides);
            TaskScripts.write(Path.of("tekton", "tasks", "review-deploy.yaml"), dir, values, Map.of("HOME", dir.toString()));
            Tool.Result result = step(dir, "deploy", alpineK8s());
            return new Deploy(result.exitCode(), result.output(), read(results.resolve("deployed")), read(results.resolve("url")),
                    read(results.resolve("revision")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cleanup TaskRun: forget-counter runs only if forget-app succeeded, as Tekton runs steps. */
    private Cleanup cleanup(int pr, String updatedAt, String password) {
        try {
            Path dir = Files.createTempDirectory(tmp, "cleanup-");
            Path credentials = Files.createDirectories(dir.resolve("redis-credentials"));
            Files.writeString(credentials.resolve("password"), password);
            TaskScripts.write(Path.of("tekton", "tasks", "review-cleanup.yaml"), dir, Map.of("pr-number", String.valueOf(pr),
                    "updated-at", updatedAt, "redis-host", "127.0.0.1", "workspaces.redis-credentials.path", credentials.toString()),
                    Map.of("HOME", dir.toString()));
            // The step reaches Redis on 6379; here redis-server listens on a free port instead.
            Path script = dir.resolve("forget-counter.sh");
            Files.writeString(script, Files.readString(script).replace("-p 6379", "-p " + redis.port()));
            Tool.Result app = step(dir, "forget-app", alpineK8s());
            if (app.exitCode() != 0) {
                return new Cleanup(app, app);
            }
            return new Cleanup(app, step(dir, "forget-counter", redisAlpine()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Tool.Result step(Path dir, String name, Path bin) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin.toString());
        env.put("KUBECONFIG", kubeconfig.toString());
        String shell = name.equals("forget-counter") ? "sh" : "bash";
        Tool.Result result = Tool.run(dir, List.of(bin.resolve(shell).toString(), dir.resolve(name + ".sh").toString()), env);
        System.out.printf("== step %s: exit %d%n%s%n", name, result.exitCode(), result.output());
        return result;
    }

    /** What alpine/k8s holds that the scripts use: busybox's applets, bash, jq and kubectl. */
    private static Path alpineK8s() throws IOException {
        return StepToolbox.of("review-alpine-k8s", "bash", "jq", "kubectl");
    }

    /** What redis:alpine holds: busybox's applets and redis-cli. */
    private static Path redisAlpine() throws IOException {
        return StepToolbox.of("review-redis-alpine", "redis-cli");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private JsonNode service(int pr) {
        ObjectNode service = api.get(ApiServerStandIn.KSVC, REVIEW, "greeting-pr-" + pr);
        assertNotNull(service, "greeting-pr-" + pr);
        return service;
    }

    private String redisCli(String... command) {
        List<String> args = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(redis.port())));
        args.addAll(List.of(command));
        return Tool.run(Path.of("."), args, Map.of("REDISCLI_AUTH", PASSWORD)).output().trim();
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        return null;
    }

    private static String digest(String commit) {
        return "sha256:" + commit.substring(0, 8).repeat(8);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
