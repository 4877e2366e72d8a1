package org.acme.greeting.tekton;

import org.acme.greeting.support.TypedModels;
import org.acme.greeting.support.SchemaValidator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.acme.greeting.support.Tool;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Checks everything under tekton/ without a cluster: a real Tekton linter, fabric8's typed
 * Tekton models, every parameter, result, workspace, task, binding and template reference, and
 * the EventListener's CEL filters, read from the YAML and run by Google's CEL engine against
 * GitHub push payloads. Needs Node.js for the linter (tag "tools").
 */
@Tag("tools")
class TektonResourcesIT {

    private static final Path TEKTON = TektonFiles.TEKTON;
    private static final ObjectMapper YAML = TektonFiles.YAML;
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * A TriggerTemplate's resourcetemplates are untyped in fabric8's tekton-model 7.1.0, the newest
     * complete here; they are parsed on their own below.
     */
    private static final Set<String> MODEL_GAPS = Set.of("TriggerTemplate.Spec.Resourcetemplates[");
    private static final Pattern PARAM = Pattern.compile("\\$\\(params\\.([A-Za-z0-9_.-]+?)\\)");
    private static final Pattern WORKSPACE = Pattern.compile("\\$\\(workspaces\\.([A-Za-z0-9_-]+)\\.[a-z]+\\)");
    private static final Pattern RESULT = Pattern.compile("\\$\\(results\\.([A-Za-z0-9_-]+)\\.path\\)");
    private static final Pattern TASK_RESULT = Pattern.compile("\\$\\(tasks\\.([A-Za-z0-9_-]+)\\.results\\.([A-Za-z0-9_-]+)\\)");
    private static final Pattern TT_PARAM = Pattern.compile("\\$\\(tt\\.params\\.([A-Za-z0-9_-]+)\\)");
    private static final Pattern EXTENSION = Pattern.compile("\\$\\(extensions\\.([A-Za-z0-9_]+)\\)");

    /** name -> object of one kind, from every YAML file under tekton/. */
    private static Map<String, JsonNode> resources(String kind) {
        return TektonFiles.ofKind(kind);
    }

    @Test
    void tektonLintReportsNoError() {
        List<JsonNode> problems = lint("../../../tekton/**/*.yaml");
        List<JsonNode> errors = problems.stream().filter(p -> p.path("level").asText().equals("error")).toList();
        assertEquals(List.of(), errors, "tekton-lint errors");
    }

    /** Proves the linter really reads our files: a misspelled parameter in a copy is reported. */
    @Test
    void tektonLintCatchesAMisspelledParameter(@TempDir Path copy) throws IOException {
        String pipeline = Files.readString(TEKTON.resolve("pipeline.yaml"));
        assertTrue(pipeline.contains("$(params.image-tag)"));
        Files.writeString(copy.resolve("pipeline.yaml"), pipeline.replace("$(params.image-tag)", "$(params.image-tg)"));
        for (Path task : Files.list(TEKTON.resolve("tasks")).toList()) {
            Files.copy(task, copy.resolve(task.getFileName()));
        }
        List<JsonNode> problems = lint(copy.toAbsolutePath() + "/*.yaml");
        assertTrue(problems.stream().anyMatch(p -> p.path("rule").asText().equals("no-undefined-param")
                && p.path("message").asText().contains("image-tg")), problems.toString());
    }

    @Test
    void everyFileParsesIntoTypedTektonAndKubernetesModels() throws IOException {
        int objects = 0;
        for (Path file : TektonFiles.yamlFiles()) {
            List<HasMetadata> parsed = TypedModels.parse(Files.readString(file), file.toString(), MODEL_GAPS);
            assertFalse(parsed.isEmpty(), file + " holds no object");
            for (HasMetadata object : parsed) {
                assertTrue(object.getClass().getPackageName().startsWith("io.fabric8"), object.getClass().toString());
                assertFalse(object.getClass().getSimpleName().startsWith("Generic"),
                        file + ": " + object.getKind() + " parsed into no typed model");
            }
            objects += parsed.size();
        }
        for (JsonNode template : resources("TriggerTemplate").values()) {
            for (JsonNode embedded : template.path("spec").path("resourcetemplates")) {
                HasMetadata run = TypedModels.parse(YAML.writeValueAsString(embedded), "resourcetemplate", MODEL_GAPS).get(0);
                assertTrue(Set.of("io.fabric8.tekton.v1.PipelineRun", "io.fabric8.tekton.v1.TaskRun").contains(run.getClass().getName()),
                        run.getClass().getName());
                objects++;
            }
        }
        assertTrue(objects >= 15, "read " + objects + " objects");
    }

    @Test
    void everyTaskReferenceResolvesWithinTheTask() {
        Map<String, JsonNode> tasks = resources("Task");
        assertEquals(Set.of("greeting-git-clone", "greeting-maven-test", "greeting-jib-build-push", "greeting-aot-image",
                "greeting-knative-release", "greeting-smoke-test", "greeting-trivy-scan", "greeting-review-deploy",
                "greeting-review-cleanup", "greeting-api-test"), tasks.keySet());
        tasks.forEach((name, task) -> {
            JsonNode spec = task.path("spec");
            Set<String> params = names(spec.path("params"));
            Set<String> workspaces = names(spec.path("workspaces"));
            Set<String> results = names(spec.path("results"));
            strings(spec, s -> {
                assertDeclared(PARAM, s, params, "Task " + name + " param");
                assertDeclared(WORKSPACE, s, workspaces, "Task " + name + " workspace");
                assertDeclared(RESULT, s, results, "Task " + name + " result");
            });
            spec.path("params").forEach(p -> assertFalse(p.path("description").asText().isBlank(),
                    "Task " + name + " documents param " + p.path("name").asText()));
            spec.path("workspaces").forEach(w -> assertFalse(w.path("description").asText().isBlank(),
                    "Task " + name + " documents workspace " + w.path("name").asText()));
            spec.path("results").forEach(r -> assertFalse(r.path("description").asText().isBlank(),
                    "Task " + name + " documents result " + r.path("name").asText()));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = { "greeting-delivery", "greeting-review" })
    void everyPipelineReferenceResolves(String pipelineName) {
        JsonNode pipeline = resources("Pipeline").get(pipelineName).path("spec");
        Set<String> params = names(pipeline.path("params"));
        Set<String> workspaces = names(pipeline.path("workspaces"));
        Map<String, Set<String>> resultsOf = new HashMap<>();
        for (JsonNode pipelineTask : TektonFiles.pipelineTasks(resources("Pipeline").get(pipelineName))) {
            String name = pipelineTask.path("name").asText();
            JsonNode ref = pipelineTask.path("taskRef");
            JsonNode task = resources("Task").get(ref.path("name").asText());
            assertNotNull(task, "pipeline task " + name + " references Task " + ref.path("name").asText() + ", which is not in tekton/");
            JsonNode taskSpec = task.path("spec");
            resultsOf.put(name, names(taskSpec.path("results")));
            Set<String> given = names(pipelineTask.path("params"));
            assertTrue(names(taskSpec.path("params")).containsAll(given), name + " passes params its Task lacks: " + given);
            for (JsonNode p : taskSpec.path("params")) {
                assertTrue(p.has("default") || given.contains(p.path("name").asText()),
                        name + " leaves required param " + p.path("name").asText() + " unset");
            }
            Set<String> bound = new HashSet<>();
            for (JsonNode w : pipelineTask.path("workspaces")) {
                bound.add(w.path("name").asText());
                assertTrue(workspaces.contains(w.path("workspace").asText()), name + " binds unknown workspace " + w);
            }
            for (JsonNode w : taskSpec.path("workspaces")) {
                assertTrue(w.path("optional").asBoolean(false) || bound.contains(w.path("name").asText()),
                        name + " leaves workspace " + w.path("name").asText() + " unbound");
            }
        }
        strings(pipeline, s -> {
            assertDeclared(PARAM, s, params, "Pipeline param");
            Matcher m = TASK_RESULT.matcher(s);
            while (m.find()) {
                assertTrue(resultsOf.containsKey(m.group(1)), "no pipeline task " + m.group(1) + " in " + s);
                assertTrue(resultsOf.get(m.group(1)).contains(m.group(2)), "task " + m.group(1) + " has no result " + m.group(2));
            }
        });
    }

    @Test
    void everyTriggerNamesBindingsAndATemplateThatExistAndFitItsPipelineOrTask() {
        JsonNode listener = resources("EventListener").get("greeting-github");
        assertTrue(resources("ServiceAccount").containsKey(listener.path("spec").path("serviceAccountName").asText()));
        for (JsonNode trigger : listener.path("spec").path("triggers")) {
            String name = trigger.path("name").asText();
            JsonNode template = resources("TriggerTemplate").get(trigger.path("template").path("ref").asText());
            assertNotNull(template, name + " names a TriggerTemplate under tekton/");
            Set<String> templateParams = names(template.path("spec").path("params"));
            strings(template.path("spec"), s -> assertDeclared(TT_PARAM, s, templateParams, "TriggerTemplate param"));
            Set<String> bound = new HashSet<>();
            for (JsonNode binding : trigger.path("bindings")) {
                if (binding.has("ref")) {
                    JsonNode resource = resources("TriggerBinding").get(binding.path("ref").asText());
                    assertNotNull(resource, name + " names TriggerBinding " + binding.path("ref").asText() + ", which is not in tekton/");
                    bound.addAll(names(resource.path("spec").path("params")));
                } else {
                    bound.add(binding.path("name").asText());
                    Matcher m = EXTENSION.matcher(binding.path("value").asText());
                    while (m.find()) {
                        assertTrue(overlays(trigger).containsKey(m.group(1)), name + " binds unknown extension " + m.group(1));
                    }
                }
            }
            for (JsonNode p : template.path("spec").path("params")) {
                assertTrue(p.has("default") || bound.contains(p.path("name").asText()),
                        name + " leaves template param " + p.path("name").asText() + " unbound");
            }

            JsonNode resource = template.path("spec").path("resourcetemplates").get(0);
            JsonNode run = resource.path("spec");
            boolean pipelineRun = resource.path("kind").asText().equals("PipelineRun");
            JsonNode target = pipelineRun ? resources("Pipeline").get(run.path("pipelineRef").path("name").asText())
                    : resources("Task").get(run.path("taskRef").path("name").asText());
            assertNotNull(target, name + ": the run's pipelineRef or taskRef exists");
            Set<String> required = new TreeSet<>();
            target.path("spec").path("params").forEach(p -> {
                if (!p.has("default")) {
                    required.add(p.path("name").asText());
                }
            });
            assertTrue(names(run.path("params")).containsAll(required), name + ": every required param is given");
            assertTrue(names(target.path("spec").path("params")).containsAll(names(run.path("params"))), name + ": no unknown param");
            assertEquals(names(target.path("spec").path("workspaces")), names(run.path("workspaces")), name + ": every workspace is bound");
            String serviceAccount = pipelineRun ? run.path("taskRunTemplate").path("serviceAccountName").asText()
                    : run.path("serviceAccountName").asText();
            assertTrue(resources("ServiceAccount").containsKey(serviceAccount), name + ": ServiceAccount " + serviceAccount);
        }
    }

    /**
     * What is deployed is the image the build pushed, plus the AOT cache trained inside that very
     * image (by digest), and it is the Pipeline's result; the untrained image never gets the tag.
     */
    @Test
    void theDeployedImageIsTheBuiltImageWithItsTrainedCache() {
        Map<String, JsonNode> tasks = new HashMap<>();
        TektonFiles.pipelineTasks().forEach(t -> tasks.put(t.path("name").asText(), t));
        Map<String, String> aot = paramValues(tasks.get("aot-image"));
        assertEquals("greeting-aot-image", tasks.get("aot-image").path("taskRef").path("name").asText());
        assertEquals("$(tasks.build.results.IMAGE_URL)", aot.get("image-url"));
        assertEquals("$(tasks.build.results.IMAGE_DIGEST)", aot.get("image-digest"));
        assertEquals("$(params.image):$(params.image-tag)", aot.get("target-image"));
        assertEquals("$(params.image-tag)-untrained", paramValues(tasks.get("build")).get("tag"));
        Map<String, String> deploy = paramValues(tasks.get("deploy"));
        assertEquals("deploy", deploy.get("action"));
        assertEquals("$(tasks.aot-image.results.IMAGE_URL)", deploy.get("image-url"));
        assertEquals("$(tasks.aot-image.results.IMAGE_DIGEST)", deploy.get("image-digest"));
        JsonNode results = resources("Pipeline").get("greeting-delivery").path("spec").path("results");
        results.forEach(r -> assertFalse(r.path("value").asText().contains("tasks.build."), "Pipeline result " + r));
        JsonNode task = resources("Task").get("greeting-aot-image").path("spec");
        for (String step : List.of("train", "check-cache")) {
            JsonNode s = null;
            for (JsonNode candidate : task.path("steps")) {
                s = candidate.path("name").asText().equals(step) ? candidate : s;
            }
            assertNotNull(s, "step " + step);
            assertEquals("$(params.image-url)@$(params.image-digest)", s.path("image").asText(), step + " runs the built image by digest");
        }
    }

    /**
     * The vulnerability gate scans exactly the image the deploy deploys, by digest, and the deploy
     * waits for it: Tekton starts a task once the tasks it names in runAfter or reads results of
     * have succeeded, so a failed gate skips the deploy and the promote.
     */
    @Test
    void theDeployRunsOnlyAfterTheGateScannedThatVeryImage() {
        Map<String, JsonNode> tasks = new HashMap<>();
        TektonFiles.pipelineTasks().forEach(t -> tasks.put(t.path("name").asText(), t));
        JsonNode scan = tasks.get("scan");
        assertNotNull(scan, "no scan task in the Pipeline");
        assertEquals("greeting-trivy-scan", scan.path("taskRef").path("name").asText());
        Map<String, String> deploy = paramValues(tasks.get("deploy"));
        assertEquals(deploy.get("image-url"), paramValues(scan).get("image-url"));
        assertEquals(deploy.get("image-digest"), paramValues(scan).get("image-digest"));
        List<String> after = new ArrayList<>();
        tasks.get("deploy").path("runAfter").forEach(r -> after.add(r.asText()));
        assertTrue(after.contains("scan"), "deploy must runAfter scan, or it starts as soon as aot-image is done: runAfter " + after);
        assertFalse(paramValues(scan).containsKey("fail-on"), "the gate fails on its default, CRITICAL");
        assertEquals("CRITICAL", TektonFiles.paramDefaults(resources("Task").get("greeting-trivy-scan")).get("fail-on"));
    }

    private static Map<String, String> paramValues(JsonNode pipelineTask) {
        return TektonFiles.paramValues(pipelineTask);
    }

    /**
     * Maven 3.9 adds the MAVEN_ARGS environment variable to every command line itself (its bin/mvn:
     * "${MAVEN_ARGS} "$@""), so a script that also passes $MAVEN_ARGS gives every argument twice.
     */
    @Test
    void mavenArgumentsAreGivenOnce() {
        for (JsonNode task : resources("Task").values()) {
            for (JsonNode step : task.path("spec").path("steps")) {
                boolean inEnv = step.path("env").toString().contains("\"MAVEN_ARGS\"");
                String script = step.path("script").asText();
                assertFalse(inEnv && script.contains("$MAVEN_ARGS"), task.path("metadata").path("name").asText()
                        + " passes MAVEN_ARGS twice: in the environment, which Maven reads, and on the command line");
            }
        }
    }

    /** Registry credentials and the webhook secret come from Secrets, never from params. */
    @Test
    void secretsComeFromSecretsNeverFromParams() {
        TektonFiles.all().values().forEach(byName -> byName.forEach((name, object) -> {
            for (JsonNode params : List.of(object.path("spec").path("params"))) {
                params.forEach(p -> assertFalse(
                        p.path("name").asText().matches("(?i).*(password|passwd|token|secret|credential).*"),
                        name + " takes a secret as param " + p.path("name").asText()));
            }
        }));
        JsonNode run = resources("TriggerTemplate").get("greeting-delivery-run")
                .path("spec").path("resourcetemplates").get(0).path("spec");
        JsonNode dockerConfig = null;
        for (JsonNode w : run.path("workspaces")) {
            if (w.path("name").asText().equals("docker-config")) {
                dockerConfig = w;
            }
        }
        assertNotNull(dockerConfig);
        assertFalse(dockerConfig.path("secret").path("secretName").asText().isEmpty(), "registry credentials from a Secret");
        for (JsonNode trigger : resources("EventListener").get("greeting-github").path("spec").path("triggers")) {
            JsonNode github = trigger.path("interceptors").get(0);
            assertEquals("github", github.path("ref").path("name").asText(), "the GitHub interceptor runs first");
            JsonNode secretRef = param(github, "secretRef");
            assertFalse(secretRef.path("secretName").asText().isEmpty(), "unsigned webhooks are refused");
            assertFalse(secretRef.path("secretKey").asText().isEmpty());
            List<String> events = JSON.convertValue(param(github, "eventTypes"), new TypeReference<List<String>>() {
            });
            assertTrue(events.equals(List.of("push")) || events.equals(List.of("pull_request")), "one event type per trigger: " + events);
        }
    }

    /**
     * The pipeline's rights: the Knative Service, its revisions, the release Lease and the
     * candidate tag's placeholder Service, only in greeting-dev and greeting-prod (a ClusterRole
     * bound by RoleBindings there, never by a ClusterRoleBinding), and never delete.
     */
    @Test
    void pipelineRbacReachesOnlyTheReleaseObjectsInTheTwoNamespaces() {
        JsonNode role = resources("ClusterRole").get("greeting-deployer");
        Set<String> allowed = Set.of("serving.knative.dev/services", "serving.knative.dev/revisions",
                "serving.knative.dev/routes", "serving.knative.dev/configurations", "coordination.k8s.io/leases", "/services");
        for (JsonNode rule : role.path("rules")) {
            rule.path("apiGroups").forEach(g -> rule.path("resources").forEach(r -> assertTrue(
                    allowed.contains(g.asText() + "/" + r.asText()), g.asText() + "/" + r.asText())));
            rule.path("verbs").forEach(v -> assertFalse(Set.of("delete", "deletecollection", "*", "escalate", "bind", "impersonate")
                    .contains(v.asText()), v.asText()));
            String group = rule.path("apiGroups").get(0).asText();
            if (group.isEmpty()) {
                assertEquals("[\"candidate-greeting\"]", rule.path("resourceNames").toString(), "core Services: only the candidate's placeholder");
            }
            if (group.equals("coordination.k8s.io") && !rule.path("verbs").toString().contains("create")) {
                assertEquals("[\"greeting-release\"]", rule.path("resourceNames").toString(), "only the release Lease");
            }
        }
        Set<String> namespaces = new TreeSet<>();
        resources("RoleBinding").values().forEach(binding -> {
            if (binding.path("roleRef").path("name").asText().equals("greeting-deployer")) {
                namespaces.add(binding.path("metadata").path("namespace").asText());
                assertEquals("greeting-pipeline", binding.path("subjects").get(0).path("name").asText());
            }
        });
        assertEquals(Set.of("greeting-dev", "greeting-prod"), namespaces);
        resources("ClusterRoleBinding").values().forEach(binding -> binding.path("subjects").forEach(subject ->
                assertFalse(subject.path("name").asText().equals("greeting-pipeline"), "no cluster-wide rights for the pipeline")));
    }

    /**
     * The review runs' rights: Knative Services and the ConfigMaps that record a closing, in
     * greeting-review only (a Role bound there), none of the release's roles, nothing cluster-wide.
     * The verbs are exactly what the review scripts call (ReviewAppIT runs them under these rules).
     */
    @Test
    void reviewRbacReachesOnlyServicesAndClosingsInTheReviewNamespace() {
        JsonNode role = resources("Role").get("greeting-review-deployer");
        assertEquals("greeting-review", role.path("metadata").path("namespace").asText());
        Map<String, String> rules = new HashMap<>();
        for (JsonNode rule : role.path("rules")) {
            rule.path("apiGroups").forEach(g -> rule.path("resources").forEach(r -> rules.put(g.asText() + "/" + r.asText(),
                    rule.path("verbs").toString())));
            assertTrue(rule.path("resourceNames").isMissingNode(), "names vary per pull request: " + rule);
        }
        assertEquals(Map.of("serving.knative.dev/services", "[\"get\",\"create\",\"update\",\"delete\"]",
                "/configmaps", "[\"get\",\"create\",\"update\",\"delete\"]"), rules);
        List<String> bound = new ArrayList<>();
        for (String kind : List.of("RoleBinding", "ClusterRoleBinding")) {
            resources(kind).values().forEach(binding -> binding.path("subjects").forEach(subject -> {
                if (subject.path("name").asText().equals("greeting-review")) {
                    bound.add(kind + " " + binding.path("metadata").path("namespace").asText() + "/" + binding.path("roleRef").path("name").asText());
                }
            }));
        }
        assertEquals(List.of("RoleBinding greeting-review/greeting-review-deployer"), bound);
    }

    /**
     * The EventListener's CEL, read from the YAML, run by a real CEL engine on GitHub push
     * payloads: which trigger fires, and what image tag its overlay computes.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "push-tag-v1.2.3.json, release-tag-to-prod, v1.2.3",
            "push-tag-v1.2.3-rc.1.json, release-tag-to-prod, v1.2.3-rc.1",
            "push-tag-v1.2.3+build.7.json, , ",
            "push-tag-v1-rc.json, , ",
            "push-tag-vnext.json, , ",
            "push-tag-v01.2.3.json, , ",
            "push-main.json, main-to-dev, 4e1d2c3",
            "push-feature-branch.json, , ",
            "delete-tag-v1.2.3.json, , ",
            "push-tag-release-2026.json, , ",
            "delete-branch-main.json, , " })
    void celFiltersStartTheRightPipelineRun(String payload, String expectedTrigger, String expectedTag) throws IOException {
        List<Fired> fired = fired(payload, "push");
        assertEquals(expectedTrigger == null ? List.of() : List.of(expectedTrigger), fired.stream().map(Fired::trigger).toList());
        if (expectedTag != null) {
            assertEquals(expectedTag, fired.get(0).params().get("image-tag"));
        }
    }

    /**
     * GitHub pull_request events, recorded payloads: through the GitHub interceptor's event type,
     * the real CEL engine and the bindings, as Triggers resolves them. A pull request from a
     * branch of this repository that is not a draft deploys its head commit, cloned from the
     * repository its head is in; closing it (merged or not) or making it a draft removes the
     * review app; forks, drafts and other actions start nothing.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "pull-request-opened.json, pull-request-to-review, a1b2c3d4e5f60718293a4b5c6d7e8f9012345678, 2026-11-30T10:15:02Z",
            "pull-request-synchronize.json, pull-request-to-review, b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80, 2026-11-30T11:02:41Z",
            "pull-request-reopened.json, pull-request-to-review, b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80, 2026-12-01T09:30:12Z",
            "pull-request-ready-for-review.json, pull-request-to-review, b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80, 2026-11-30T12:20:33Z",
            "pull-request-closed-merged.json, pull-request-closed, , 2026-11-30T16:45:09Z",
            "pull-request-closed-unmerged.json, pull-request-closed, , 2026-11-30T16:45:09Z",
            "pull-request-converted-to-draft.json, pull-request-closed, , 2026-11-30T12:40:05Z",
            "pull-request-opened-draft.json, , , ",
            "pull-request-synchronize-draft.json, , , ",
            "pull-request-opened-from-fork.json, , , ",
            "pull-request-synchronize-from-fork.json, , , ",
            "pull-request-closed-from-deleted-fork.json, , , ",
            "pull-request-edited.json, , , ",
            "pull-request-labeled.json, , , " })
    void pullRequestEventsStartTheRightRun(String payload, String expectedTrigger, String commit, String updatedAt) throws IOException {
        List<Fired> fired = fired(payload, "pull_request");
        assertEquals(expectedTrigger == null ? List.of() : List.of(expectedTrigger), fired.stream().map(Fired::trigger).toList());
        if (expectedTrigger == null) {
            return;
        }
        Map<String, String> params = fired.get(0).params();
        assertEquals("42", params.get("pr-number"));
        assertEquals(updatedAt, params.get("updated-at"));
        if (commit != null) {
            assertEquals(Map.of("git-url", "https://github.com/acme/greeting.git", "git-revision", commit, "pr-number", "42",
                    "updated-at", updatedAt, "image-tag", "pr-42-" + commit.substring(0, 7)), params);
        } else {
            assertEquals(Set.of("pr-number", "updated-at"), params.keySet());
        }
    }

    /** A trigger that fired, with the params its bindings resolved to. */
    record Fired(String trigger, Map<String, String> params) {
    }

    /** Which triggers of the EventListener fire for this recorded payload sent as this GitHub event. */
    private static List<Fired> fired(String payload, String event) throws IOException {
        JsonNode tree = JSON.readTree(Path.of("src/test/resources/github", payload).toFile());
        // Triggers decodes the body with Go's encoding/json: every JSON number is a float64 (a CEL double).
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) goValue(tree);
        List<Fired> fired = new ArrayList<>();
        for (JsonNode trigger : resources("EventListener").get("greeting-github").path("spec").path("triggers")) {
            JsonNode cel = null;
            boolean eventAccepted = false;
            for (JsonNode interceptor : trigger.path("interceptors")) {
                switch (interceptor.path("ref").path("name").asText()) {
                    case "cel" -> cel = interceptor;
                    case "github" -> {
                        for (JsonNode type : param(interceptor, "eventTypes")) {
                            eventAccepted |= type.asText().equals(event);
                        }
                    }
                    default -> throw new AssertionError("an interceptor this test does not model: " + interceptor);
                }
            }
            assertNotNull(cel, trigger.path("name").asText() + " filters with CEL");
            if (!eventAccepted || !Boolean.TRUE.equals(evaluate(param(cel, "filter").asText(), body, event))) {
                continue;
            }
            Map<String, Object> extensions = new HashMap<>();
            overlays(trigger).forEach((key, expression) -> extensions.put(key, evaluate(expression, body, event)));
            Map<String, String> params = new HashMap<>();
            for (JsonNode binding : trigger.path("bindings")) {
                List<JsonNode> entries = new ArrayList<>();
                if (binding.has("ref")) {
                    resources("TriggerBinding").get(binding.path("ref").asText()).path("spec").path("params").forEach(entries::add);
                } else {
                    entries.add(binding);
                }
                for (JsonNode entry : entries) {
                    params.put(entry.path("name").asText(), resolve(entry.path("value").asText(), tree, extensions));
                }
            }
            fired.add(new Fired(trigger.path("name").asText(), params));
        }
        return fired;
    }

    /**
     * A binding value as Triggers resolves it: $(body.a.b) is the JSON value at that path, a
     * string as it is, anything else as its JSON text; $(extensions.k) an interceptor's overlay.
     */
    private static String resolve(String value, JsonNode body, Map<String, Object> extensions) {
        Matcher m = Pattern.compile("\\$\\((body|extensions)\\.([A-Za-z0-9_.]+)\\)").matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (m.find()) {
            String text;
            if (m.group(1).equals("extensions")) {
                assertTrue(extensions.containsKey(m.group(2)), "no extension " + m.group(2));
                text = String.valueOf(extensions.get(m.group(2)));
            } else {
                JsonNode node = body;
                for (String field : m.group(2).split("\\.")) {
                    node = node.path(field);
                }
                assertFalse(node.isMissingNode() || node.isNull(), "the payload has no " + m.group() + ": Triggers would fail the event");
                text = node.isTextual() ? node.asText() : node.toString();
            }
            m.appendReplacement(resolved, Matcher.quoteReplacement(text));
        }
        m.appendTail(resolved);
        return resolved.toString();
    }

    private static Object goValue(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new HashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), goValue(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(e -> list.add(goValue(e)));
            return list;
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return node.isNull() ? dev.cel.common.values.NullValue.NULL_VALUE : node.asText();
    }

    private static Object evaluate(String expression, Map<String, Object> body, String event) {
        // Tekton Triggers' CEL environment: body, header, requestURL, extensions, and the strings extension.
        Cel cel = CelFactory.standardCelBuilder()
                .addVar("body", SimpleType.DYN)
                .addVar("header", SimpleType.DYN)
                .addVar("requestURL", SimpleType.STRING)
                .addVar("extensions", SimpleType.DYN)
                .addCompilerLibraries(CelExtensions.strings())
                .addRuntimeLibraries(CelExtensions.strings())
                .build();
        try {
            return cel.createProgram(cel.compile(expression).getAst()).eval(Map.of(
                    "body", body, "header", Map.of("X-Github-Event", List.of(event)),
                    "requestURL", "http://el-greeting-github.greeting-cicd.svc:8080/", "extensions", Map.of()));
        } catch (Exception e) {
            throw new AssertionError("CEL failed on: " + expression, e);
        }
    }

    private static Map<String, String> overlays(JsonNode trigger) {
        Map<String, String> overlays = new HashMap<>();
        for (JsonNode interceptor : trigger.path("interceptors")) {
            param(interceptor, "overlays").forEach(o -> overlays.put(o.path("key").asText(), o.path("expression").asText()));
        }
        return overlays;
    }

    private static JsonNode param(JsonNode interceptor, String name) {
        return TektonFiles.param(interceptor, name);
    }

    private static List<JsonNode> lint(String glob) {
        SchemaValidator.install();
        Tool.Result result = Tool.run(SchemaValidator.NODE_DIR, List.of("npx", "--no-install", "tekton-lint",
                "--color=false", "--format", "json", "--config", "../../../tekton", glob));
        String output = result.output();
        int start = output.indexOf('[');
        assertTrue(start >= 0, "tekton-lint printed no JSON report: " + output);
        try {
            List<JsonNode> problems = new ArrayList<>();
            JSON.readTree(output.substring(start, output.lastIndexOf(']') + 1)).forEach(problems::add);
            return problems;
        } catch (IOException e) {
            throw new AssertionError("unreadable tekton-lint report: " + output, e);
        }
    }

    private static void assertDeclared(Pattern reference, String text, Set<String> declared, String what) {
        Matcher m = reference.matcher(text);
        while (m.find()) {
            assertTrue(declared.contains(m.group(1)), what + " '" + m.group(1) + "' is used but not declared: " + text);
        }
    }

    private static Set<String> names(JsonNode list) {
        return TektonFiles.names(list);
    }

    private static void strings(JsonNode node, Consumer<String> each) {
        if (node.isTextual()) {
            each.accept(node.asText());
        }
        node.forEach(child -> strings(child, each));
    }

}
