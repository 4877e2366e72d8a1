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
                assertEquals("io.fabric8.tekton.v1.PipelineRun", run.getClass().getName());
                objects++;
            }
        }
        assertTrue(objects >= 15, "read " + objects + " objects");
    }

    @Test
    void everyTaskReferenceResolvesWithinTheTask() {
        Map<String, JsonNode> tasks = resources("Task");
        assertEquals(Set.of("greeting-git-clone", "greeting-maven-test", "greeting-jib-build-push", "greeting-aot-image",
                "greeting-knative-release", "greeting-smoke-test", "greeting-trivy-scan"), tasks.keySet());
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

    @Test
    void everyPipelineReferenceResolves() {
        JsonNode pipeline = resources("Pipeline").get("greeting-delivery").path("spec");
        Set<String> params = names(pipeline.path("params"));
        Set<String> workspaces = names(pipeline.path("workspaces"));
        Map<String, Set<String>> resultsOf = new HashMap<>();
        for (JsonNode pipelineTask : TektonFiles.pipelineTasks()) {
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
    void everyTriggerNamesBindingsAndATemplateThatExistAndFitThePipeline() {
        JsonNode listener = resources("EventListener").get("greeting-github");
        JsonNode template = resources("TriggerTemplate").get(
                listener.path("spec").path("triggers").get(0).path("template").path("ref").asText());
        assertNotNull(template);
        Set<String> templateParams = names(template.path("spec").path("params"));
        strings(template.path("spec"), s -> assertDeclared(TT_PARAM, s, templateParams, "TriggerTemplate param"));

        for (JsonNode trigger : listener.path("spec").path("triggers")) {
            String name = trigger.path("name").asText();
            assertTrue(resources("TriggerTemplate").containsKey(trigger.path("template").path("ref").asText()), name);
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
        }

        JsonNode run = template.path("spec").path("resourcetemplates").get(0).path("spec");
        JsonNode pipeline = resources("Pipeline").get(run.path("pipelineRef").path("name").asText());
        assertNotNull(pipeline, "the PipelineRun's pipelineRef exists");
        assertEquals(names(pipeline.path("spec").path("params")), names(run.path("params")), "every pipeline param is given");
        assertEquals(names(pipeline.path("spec").path("workspaces")), names(run.path("workspaces")), "every workspace is bound");
        String serviceAccount = run.path("taskRunTemplate").path("serviceAccountName").asText();
        assertTrue(resources("ServiceAccount").containsKey(serviceAccount), "ServiceAccount " + serviceAccount);
        assertTrue(resources("ServiceAccount").containsKey(listener.path("spec").path("serviceAccountName").asText()));
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
            assertEquals(List.of("push"), JSON.convertValue(param(github, "eventTypes"), new TypeReference<List<String>>() {
            }));
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
        Map<String, Object> body = JSON.readValue(Path.of("src/test/resources/github", payload).toFile(),
                new TypeReference<Map<String, Object>>() {
                });
        List<String> fired = new ArrayList<>();
        for (JsonNode trigger : resources("EventListener").get("greeting-github").path("spec").path("triggers")) {
            JsonNode cel = null;
            for (JsonNode interceptor : trigger.path("interceptors")) {
                if (interceptor.path("ref").path("name").asText().equals("cel")) {
                    cel = interceptor;
                }
            }
            assertNotNull(cel, trigger.path("name").asText() + " filters with CEL");
            if (Boolean.TRUE.equals(evaluate(param(cel, "filter").asText(), body))) {
                fired.add(trigger.path("name").asText());
                if (expectedTag != null) {
                    assertEquals(expectedTag, evaluate(overlays(trigger).get("image_tag"), body));
                }
            }
        }
        assertEquals(expectedTrigger == null ? List.of() : List.of(expectedTrigger), fired);
    }

    private static Object evaluate(String expression, Map<String, Object> body) {
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
                    "body", body, "header", Map.of("X-Github-Event", List.of("push")),
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
