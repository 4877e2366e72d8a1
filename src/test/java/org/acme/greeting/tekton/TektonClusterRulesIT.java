package org.acme.greeting.tekton;

import org.acme.greeting.support.KnativeServiceOverlay;
import org.acme.greeting.support.PodSecurityRestricted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Rules a real cluster enforces when the pipeline runs, which no linter or schema sees, each
 * written down from its source and checked on tekton/, knative/ and tekton/README.md's commands.
 * Needs kubectl, whose kustomize builds the Knative Service (tag "tools").
 */
@Tag("tools")
class TektonClusterRulesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path README = TektonFiles.TEKTON.resolve("README.md");
    /** Kubernetes versions the README states as supported: Knative Serving 1.20 needs 1.32 or newer, 1.32 is past its upstream end of life. */
    private static final List<Integer> SUPPORTED_KUBERNETES_MINORS = List.of(33, 34, 35);

    /**
     * Tekton's affinity assistant (the default, coschedule: workspaces) fails a TaskRun that binds
     * more than one PersistentVolumeClaim, before any pod starts: "more than one
     * PersistentVolumeClaim is bound" (tektoncd/pipeline pkg/workspace/validate.go,
     * ValidateOnlyOnePVCIsUsed, called from pkg/reconciler/taskrun/taskrun.go; docs
     * "Affinity Assistants"; tektoncd/pipeline#3480). Claims count by claimName; each
     * volumeClaimTemplate workspace of a PipelineRun becomes a claim of its own.
     */
    @Test
    void everyTaskRunBindsAtMostOnePersistentVolumeClaimInTheTriggeredRunAndTheReadmesRuns() throws IOException {
        Map<String, JsonNode> runs = new LinkedHashMap<>();
        runs.put("the TriggerTemplate's PipelineRun", TektonFiles.triggeredRun().path("spec").path("workspaces"));
        List<TknStart> commands = TknStart.inReadme(Files.readString(README));
        assertEquals(2, commands.size(), "the README starts a dev and a prod run by hand");
        for (TknStart command : commands) {
            runs.put("the README's `tkn pipeline start` for " + command.params().get("environment"), command.workspaces());
        }
        runs.forEach((run, bindings) -> {
            for (JsonNode pipelineTask : TektonFiles.pipelineTasks()) {
                Set<String> claims = claimsBound(pipelineTask, bindings);
                assertTrue(claims.size() <= 1, run + ": TaskRun " + pipelineTask.path("name").asText()
                        + " would bind " + claims + ": \"more than one PersistentVolumeClaim is bound\"");
            }
        });
        JsonNode reviewBindings = TektonFiles.triggeredReviewRun().path("spec").path("workspaces");
        for (JsonNode pipelineTask : TektonFiles.pipelineTasks(TektonFiles.reviewPipeline())) {
            Set<String> claims = claimsBound(pipelineTask, reviewBindings);
            assertTrue(claims.size() <= 1, "the review PipelineRun: TaskRun " + pipelineTask.path("name").asText()
                    + " would bind " + claims + ": \"more than one PersistentVolumeClaim is bound\"");
        }
        // The check bites: the previous design, a volumeClaimTemplate for the source beside the Maven cache PVC.
        JsonNode twoVolumes = JSON.valueToTree(List.of(
                Map.of("name", "shared", "volumeClaimTemplate", Map.of("spec", Map.of())),
                Map.of("name", "maven", "persistentVolumeClaim", Map.of("claimName", "greeting-maven-cache"))));
        ObjectNode task = JSON.createObjectNode().put("name", "test");
        task.putArray("workspaces").add(JSON.createObjectNode().put("name", "source").put("workspace", "shared"))
                .add(JSON.createObjectNode().put("name", "maven-cache").put("workspace", "maven"));
        assertEquals(2, claimsBound(task, twoVolumes).size());
    }

    /** The claims a TaskRun of this pipeline task binds, under the PipelineRun's workspace bindings. */
    private static Set<String> claimsBound(JsonNode pipelineTask, JsonNode runBindings) {
        Map<String, JsonNode> byName = new HashMap<>();
        runBindings.forEach(b -> byName.put(b.path("name").asText(), b));
        Set<String> claims = new HashSet<>();
        for (JsonNode workspace : pipelineTask.path("workspaces")) {
            JsonNode binding = byName.get(workspace.path("workspace").asText(workspace.path("name").asText()));
            assertNotNull(binding, pipelineTask.path("name").asText() + " binds a workspace the run does not give: " + workspace);
            if (binding.has("persistentVolumeClaim")) {
                claims.add("claim " + binding.path("persistentVolumeClaim").path("claimName").asText());
            } else if (binding.has("volumeClaimTemplate")) {
                claims.add("volumeClaimTemplate " + binding.path("name").asText());
            }
        }
        return claims;
    }

    /**
     * fsGroup makes the kubelet chown every file of a volume at each pod start, unless
     * fsGroupChangePolicy is OnRootMismatch (Kubernetes docs, "Configure volume permission and
     * ownership change policy for Pods"); the build volume holds the whole Maven cache.
     */
    @Test
    void everyPodTemplateWithAnFsGroupChangesOwnershipOnlyOnRootMismatch() {
        Map<String, JsonNode> templates = new LinkedHashMap<>();
        templates.put("the TriggerTemplate's PipelineRun", TektonFiles.triggeredRun().path("spec").path("taskRunTemplate").path("podTemplate"));
        templates.put(TektonFiles.POD_TEMPLATE.toString(), TektonFiles.podTemplateFile());
        templates.put("the review TriggerTemplate's PipelineRun", TektonFiles.triggeredReviewRun().path("spec").path("taskRunTemplate").path("podTemplate"));
        templates.forEach((where, template) -> {
            assertTrue(template.path("securityContext").has("fsGroup"), where + " sets fsGroup (the steps write the volume as 65532)");
            assertEquals("OnRootMismatch", template.path("securityContext").path("fsGroupChangePolicy").asText(), where);
        });
        assertEquals(TektonFiles.triggeredRun().path("spec").path("taskRunTemplate").path("podTemplate"),
                TektonFiles.podTemplateFile(), "runs started by hand get the same pod template as triggered ones");
    }

    /**
     * Every Task is ours, applied with the pipeline: nothing is resolved at run time. A resolver
     * reference would have to be immutable: the hub resolver now depends on Artifact Hub at every
     * run (Tekton Hub was shut down on 8 January 2026, tektoncd/hub#2696) and serves mutable
     * versions; a bundle must be pinned by digest, a git reference by commit.
     */
    @Test
    void everyTaskIsLocalOrPinnedImmutably() {
        List<JsonNode> pipelineTasks = new ArrayList<>(TektonFiles.pipelineTasks());
        pipelineTasks.addAll(TektonFiles.pipelineTasks(TektonFiles.reviewPipeline()));
        for (JsonNode pipelineTask : pipelineTasks) {
            List<String> problems = referenceProblems(pipelineTask.path("taskRef"));
            assertEquals(List.of(), problems, pipelineTask.path("name").asText());
            assertNotNull(TektonFiles.taskOf(pipelineTask), pipelineTask.path("name").asText() + " names a Task under tekton/");
        }
        // The check bites on what the pipeline used before.
        JsonNode hub = JSON.valueToTree(Map.of("resolver", "hub", "params", List.of(
                Map.of("name", "name", "value", "git-clone"), Map.of("name", "version", "value", "0.9"))));
        assertFalse(referenceProblems(hub).isEmpty());
        JsonNode movingGit = JSON.valueToTree(Map.of("resolver", "git", "params", List.of(
                Map.of("name", "url", "value", "https://github.com/tektoncd-catalog/git-clone.git"),
                Map.of("name", "revision", "value", "main"))));
        assertFalse(referenceProblems(movingGit).isEmpty());
    }

    private static List<String> referenceProblems(JsonNode taskRef) {
        List<String> problems = new ArrayList<>();
        if (!taskRef.has("resolver")) {
            return problems;
        }
        String resolver = taskRef.path("resolver").asText();
        switch (resolver) {
            case "bundles" -> {
                if (!TektonFiles.param(taskRef, "bundle").asText().matches(".+@sha256:[0-9a-f]{64}")) {
                    problems.add("a bundle must be pinned by digest: " + taskRef);
                }
            }
            case "git" -> {
                if (!TektonFiles.param(taskRef, "revision").asText().matches("[0-9a-f]{40}")) {
                    problems.add("a git reference must be pinned to a commit: " + taskRef);
                }
            }
            default -> problems.add("resolver " + resolver + " resolves a mutable reference at every run: " + taskRef);
        }
        return problems;
    }

    /**
     * The kubelet pulls each step image with the pod's ServiceAccount's imagePullSecrets; the
     * aot-image Task runs the image the build just pushed, which a private registry (ghcr.io's
     * default for a new package) refuses without them. Each revision pulls the image with the
     * Secret named in its pod spec, which the install creates in both namespaces.
     */
    @Test
    void privateImagesArePulledWithTheRegistrySecrets() throws IOException {
        String serviceAccount = TektonFiles.triggeredRun().path("spec").path("taskRunTemplate").path("serviceAccountName").asText();
        JsonNode account = TektonFiles.ofKind("ServiceAccount").get(serviceAccount);
        String registrySecret = "";
        for (JsonNode w : TektonFiles.triggeredRun().path("spec").path("workspaces")) {
            if (w.has("secret")) {
                registrySecret = w.path("secret").path("secretName").asText();
            }
        }
        assertEquals(Set.of(registrySecret), TektonFiles.names(account.path("imagePullSecrets")),
                serviceAccount + " pulls with the Secret the pipeline pushes with");
        boolean runsPushedImage = false;
        for (JsonNode task : TektonFiles.ofKind("Task").values()) {
            for (JsonNode step : task.path("spec").path("steps")) {
                runsPushedImage |= step.path("image").asText().startsWith("$(params.image-url)");
            }
        }
        assertTrue(runsPushedImage, "a step runs the image just pushed (greeting-aot-image)");

        String readme = Files.readString(README);
        for (String namespace : List.of("greeting-$env", "greeting-cicd")) {
            String secret = namespace.equals("greeting-cicd") ? registrySecret : "greeting-registry-pull";
            assertTrue(Pattern.compile("kubectl create secret docker-registry " + Pattern.quote(secret) + " -n "
                    + Pattern.quote(namespace)).matcher(readme).find(), "the README's install creates " + secret + " in " + namespace);
        }
        String revisionSecret = KnativeServiceOverlay.render("prod").path("spec").path("template").path("spec")
                .path("imagePullSecrets").get(0).path("name").asText();
        assertEquals("greeting-registry-pull", revisionSecret);
    }

    /**
     * The smoke test calls the candidate tag's cluster-local address,
     * &lt;placeholder&gt;.&lt;namespace&gt;.svc.&lt;cluster domain&gt;, which every tag has whatever its
     * visibility (knative/serving pkg/reconciler/route/resources/ingress.go), and which a Tekton pod
     * reaches without external DNS, hairpin routing or a public certificate. The deploy writes the
     * URL Knative gives the tag only after waiting for it to be that host (LOCAL_HOST, from the
     * Service's own cluster-local address), never the tag's public URL; ReleaseRolloutIT checks the
     * value, with the default and with another tag template and cluster domain.
     */
    @Test
    void theSmokeTestCallsTheCandidateTagsClusterLocalAddress() {
        assertEquals("$(tasks.deploy.results.url)", TektonFiles.paramValues(TektonFiles.pipelineTask("smoke-test")).get("url"));
        assertEquals("$(tasks.deploy.results.revision)",
                TektonFiles.paramValues(TektonFiles.pipelineTask("smoke-test")).get("revision"));
        String script = releaseScript();
        int waited = script.indexOf("| .url | sub(\"^https?://\"; \"\")] == ['\"$LOCAL_HOST\"']", script.indexOf("REVISION_WAITED=$NEW"));
        int written = script.indexOf("printf '%s' \"$url\" > \"$URL_RESULT\"");
        assertTrue(waited > 0 && written > waited, "deploy's url result is written after the wait for the tag's cluster-local host");
    }

    /**
     * One release per environment at a time: a Lease (coordination.k8s.io/v1) that the first task
     * takes and the finally task gives back; creating it is atomic and taking over an expired one
     * is a replace at its resourceVersion (Kubernetes API concurrency control), so of two runs one
     * wins. It must outlast the longest a run can hold it, or a slow run could lose it.
     * <p>
     * Its two tasks bind no volume. Tekton creates a run's affinity assistant, which mounts the
     * volume, as the run starts, before its first TaskRun (pkg/reconciler/pipelinerun/pipelinerun.go,
     * reconcile: createOrUpdateAffinityAssistantsAndPVCs while IsBeforeFirstTaskRun), and keeps it
     * until the run is done; only TaskRuns that bind the volume follow it (affinity_assistant.go,
     * getAffinityAssistantAnnotationVal, coschedule: workspaces). On a ReadWriteOnce volume a second
     * run's assistant may wait on another node (Multi-Attach) until the first run ends: the second
     * run waits at the Lease, its finally can always give it back, and its first task with the
     * volume, which starts once the first run has released the Lease, has a timeout (counted from
     * its TaskRun's start) that leaves the volume time to move nodes.
     */
    @Test
    void oneReleasePerEnvironmentHoldsTheLeaseFromFirstTaskToFinally() {
        JsonNode spec = TektonFiles.pipeline().path("spec");
        JsonNode acquire = spec.path("tasks").get(0);
        assertEquals("acquire", TektonFiles.paramValues(acquire).get("action"), "the first task takes the Lease");
        assertEquals(List.of(), List.copyOf(TektonFiles.names(acquire.path("workspaces"))), "it waits without holding a volume");
        assertEquals("$(context.pipelineRun.name)", TektonFiles.paramValues(acquire).get("holder"));
        // Every other task runs after it: directly, or after a task that does.
        Set<String> afterAcquire = new HashSet<>(Set.of(acquire.path("name").asText()));
        for (JsonNode task : spec.path("tasks")) {
            if (task == acquire) {
                continue;
            }
            Set<String> before = new HashSet<>();
            task.path("runAfter").forEach(r -> before.add(r.asText()));
            Matcher m = Pattern.compile("\\$\\(tasks\\.([a-z0-9-]+)\\.results").matcher(task.toString());
            while (m.find()) {
                before.add(m.group(1));
            }
            assertTrue(before.stream().anyMatch(afterAcquire::contains), task.path("name").asText() + " could start before the Lease is held");
            afterAcquire.add(task.path("name").asText());
        }
        JsonNode finish = spec.path("finally").get(0);
        assertNotNull(finish, "no finally task: a failed run would keep the Lease and leave its candidate tag");
        assertEquals("finish", TektonFiles.paramValues(finish).get("action"), "the finally gives the Lease back");
        assertFalse(finish.toString().contains("$(tasks."), "a finally task that reads a result is skipped when that task failed");
        assertEquals(List.of(), List.copyOf(TektonFiles.names(finish.path("workspaces"))), "it releases without needing a volume");
        JsonNode fetch = spec.path("tasks").get(1);
        assertEquals(List.of(acquire.path("name").asText()), TektonFiles.YAML.convertValue(fetch.path("runAfter"), List.class));
        assertTrue(TektonFiles.seconds(fetch.path("timeout").asText()) >= 600, "time for the volume to move nodes");
        for (JsonNode task : TektonFiles.pipelineTasks()) {
            if (task.path("taskRef").path("name").asText().equals("greeting-knative-release")) {
                assertEquals("$(context.pipelineRun.name)", TektonFiles.paramValues(task).get("holder"), task.path("name").asText());
            }
        }

        Map<String, String> defaults = TektonFiles.paramDefaults(TektonFiles.ofKind("Task").get("greeting-knative-release"));
        long held = 0;
        for (JsonNode task : TektonFiles.pipelineTasks()) {
            if (task != acquire) {
                held += TektonFiles.seconds(task.path("timeout").asText());
            }
        }
        long leaseSeconds = Long.parseLong(defaults.get("lease-seconds"));
        assertTrue(held < leaseSeconds, "the Lease (" + leaseSeconds + " s) outlasts the longest hold, the sum of the"
                + " timeouts of every task after acquire (" + held + " s)");
        long wait = Long.parseLong(defaults.get("wait-seconds"));
        assertTrue(wait < TektonFiles.seconds(acquire.path("timeout").asText()), "acquire gives up before its task times out");
        JsonNode timeouts = TektonFiles.triggeredRun().path("spec").path("timeouts");
        long tasks = TektonFiles.seconds(timeouts.path("tasks").asText());
        long finallySeconds = TektonFiles.seconds(timeouts.path("finally").asText());
        assertTrue(TektonFiles.seconds(acquire.path("timeout").asText()) + held - TektonFiles.seconds(finish.path("timeout").asText())
                <= tasks, "the run's tasks timeout leaves room for waiting and every task");
        assertTrue(TektonFiles.seconds(finish.path("timeout").asText()) <= finallySeconds, "and for the finally");
        assertTrue(tasks + finallySeconds <= TektonFiles.seconds(timeouts.path("pipeline").asText()), "Tekton: tasks + finally <= pipeline");
    }

    /**
     * Review runs execute a pull request's code: under their own ServiceAccount, which pulls with
     * the review registry Secret it pushes with (the aot-image step runs the image just pushed),
     * never the release's; the README's install creates both review Secrets.
     */
    @Test
    void reviewRunsPullAndPushWithTheReviewRegistrySecretOnly() throws IOException {
        JsonNode run = TektonFiles.triggeredReviewRun().path("spec");
        String account = run.path("taskRunTemplate").path("serviceAccountName").asText();
        assertEquals("greeting-review", account);
        String pushSecret = "";
        for (JsonNode w : run.path("workspaces")) {
            if (w.has("secret")) {
                pushSecret = w.path("secret").path("secretName").asText();
            }
        }
        assertEquals("greeting-review-registry", pushSecret);
        assertEquals(Set.of(pushSecret), TektonFiles.names(TektonFiles.ofKind("ServiceAccount").get(account).path("imagePullSecrets")));
        JsonNode cleanup = TektonFiles.ofKind("TriggerTemplate").get("greeting-review-cleanup-run").path("spec").path("resourcetemplates").get(0);
        assertEquals(account, cleanup.path("spec").path("serviceAccountName").asText());
        String readme = Files.readString(README);
        for (String command : List.of("kubectl create secret docker-registry greeting-review-registry -n greeting-cicd",
                "kubectl create secret docker-registry greeting-registry-pull -n greeting-review",
                "kubectl create secret generic greeting-redis -n greeting-review",
                "kubectl create secret generic greeting-review-redis -n greeting-cicd")) {
            assertTrue(readme.replace("\\\n", "").replaceAll("\\s+", " ").contains(command), "the README's install: " + command);
        }
    }

    /** Review runs never take, wait for or hold a release Lease, and bind no release build volume. */
    @Test
    void reviewRunsNeverTouchTheReleaseLeaseOrBuildVolumes() {
        for (JsonNode task : TektonFiles.pipelineTasks(TektonFiles.reviewPipeline())) {
            assertNotEquals("greeting-knative-release", task.path("taskRef").path("name").asText(), task.path("name").asText());
        }
        JsonNode shared = TektonFiles.triggeredReviewRun().path("spec").path("workspaces").get(0);
        assertEquals("shared", shared.path("name").asText());
        assertTrue(shared.has("volumeClaimTemplate"), "a volume per review run, never greeting-build-<env>: " + shared);
        for (JsonNode rule : TektonFiles.ofKind("Role").get("greeting-review-deployer").path("rules")) {
            assertFalse(rule.toString().contains("leases"), "no rights on Leases: " + rule);
        }
    }

    /**
     * A review app is deleted and must start again from zero after the pull request's next push:
     * the deploy waits longer than the revision's progress deadline, and its task's timeout is
     * longer still; a superseded run's API test is skipped, not failed.
     */
    @Test
    void theReviewDeployWaitsLongerThanTheProgressDeadlineAndTheApiTestRunsOnlyWhenItDeployed() {
        String deadline = KnativeServiceOverlay.render("review").path("spec").path("template").path("metadata")
                .path("annotations").path("serving.knative.dev/progress-deadline").asText("600s");
        long wait = Long.parseLong(TektonFiles.paramDefaults(TektonFiles.ofKind("Task").get("greeting-review-deploy")).get("timeout-seconds"));
        assertTrue(wait > TektonFiles.seconds(deadline), wait + " s against " + deadline);
        JsonNode deploy = TektonFiles.pipelineTask(TektonFiles.reviewPipeline(), "deploy");
        assertTrue(TektonFiles.seconds(deploy.path("timeout").asText()) > wait);
        JsonNode apiTest = TektonFiles.pipelineTask(TektonFiles.reviewPipeline(), "api-test");
        assertEquals(TektonFiles.YAML.valueToTree(List.of(Map.of("input", "$(tasks.deploy.results.deployed)", "operator", "in",
                "values", List.of("true")))), apiTest.path("when"));
    }

    /**
     * The deploy waits for the new revision longer than Knative gives it to become Ready (its
     * serving.knative.dev/progress-deadline, else config-deployment's 600s), so a slow start is
     * reported with Knative's own reason rather than as a timeout of ours; and its task's timeout
     * is longer still.
     */
    @Test
    void theDeployWaitsLongerThanTheRevisionsProgressDeadline() {
        String deadline = KnativeServiceOverlay.render("prod").path("spec").path("template").path("metadata")
                .path("annotations").path("serving.knative.dev/progress-deadline").asText("600s");
        long progressDeadline = TektonFiles.seconds(deadline);
        long wait = Long.parseLong(TektonFiles.paramDefaults(TektonFiles.ofKind("Task").get("greeting-knative-release"))
                .get("timeout-seconds"));
        assertTrue(wait > progressDeadline, "deploy waits " + wait + " s, the progress deadline is " + progressDeadline + " s");
        assertTrue(TektonFiles.seconds(TektonFiles.pipelineTask("deploy").path("timeout").asText()) > wait);
    }

    /**
     * kubectl supports API servers one minor version older or newer than itself (Kubernetes
     * version skew policy); the tools image's kubectl must be within one minor of every supported
     * Kubernetes version.
     */
    @Test
    void theToolsImagesKubectlFitsEverySupportedKubernetesVersion() {
        Pattern toolsImage = Pattern.compile("docker\\.io/alpine/k8s:1\\.(\\d+)\\.\\d+@sha256:[0-9a-f]{64}");
        int images = 0;
        for (JsonNode task : TektonFiles.ofKind("Task").values()) {
            for (JsonNode param : task.path("spec").path("params")) {
                Matcher m = toolsImage.matcher(param.path("default").asText());
                if (m.matches()) {
                    images++;
                    int kubectl = Integer.parseInt(m.group(1));
                    for (int server : SUPPORTED_KUBERNETES_MINORS) {
                        assertTrue(Math.abs(kubectl - server) <= 1, task.path("metadata").path("name").asText()
                                + ": kubectl 1." + kubectl + " against Kubernetes 1." + server);
                    }
                }
            }
        }
        assertTrue(images >= 2, "found the tools images");
    }

    /**
     * greeting-cicd enforces Pod Security "restricted", so the API server rejects any TaskRun pod
     * that breaks it: every step and sidecar of every Task, and Tekton's own init containers, which
     * get a restricted securityContext only with Tekton's feature flag set-security-context
     * (tektoncd/pipeline docs/additional-configs.md, "Running TaskRuns and PipelineRuns with
     * restricted pod security standards").
     */
    @Test
    void everyTaskPodMeetsTheRestrictedProfileTheCicdNamespaceEnforces() {
        JsonNode namespace = TektonFiles.ofKind("Namespace").get("greeting-cicd");
        assertEquals("restricted", namespace.path("metadata").path("labels").path("pod-security.kubernetes.io/enforce").asText());
        JsonNode podTemplate = TektonFiles.triggeredRun().path("spec").path("taskRunTemplate").path("podTemplate");
        Map<String, List<String>> violations = new TreeMap<>();
        for (JsonNode task : TektonFiles.ofKind("Task").values()) {
            List<String> found = PodSecurityRestricted.violationsOf(TektonPods.podOf(task, podTemplate, true));
            if (!found.isEmpty()) {
                violations.put(task.path("metadata").path("name").asText(), found);
            }
        }
        assertEquals(Map.of(), violations);
        // Without the feature flag, Tekton's own init containers break it: hence the install step.
        JsonNode anyTask = TektonFiles.ofKind("Task").get("greeting-git-clone");
        assertTrue(PodSecurityRestricted.violationsOf(TektonPods.podOf(anyTask, podTemplate, false)).stream()
                .anyMatch(v -> v.startsWith("initContainers[prepare]")));
    }

    private static String releaseScript() {
        return TektonFiles.ofKind("Task").get("greeting-knative-release").path("spec").path("steps").get(0).path("script").asText();
    }

    /** A `tkn pipeline start` command of the README, as the PipelineRun it would create. */
    record TknStart(Map<String, String> params, JsonNode workspaces, Map<String, String> flags) {

        private static final Pattern COMMAND = Pattern.compile("tkn pipeline start greeting-delivery((?:[^\\n]*\\\\\\n)*[^\\n]*)");
        private static final Pattern ARGUMENT = Pattern.compile("(?:^|\\s)(-p|-w|--[a-z-]+)[ =]((?:\"[^\"]*\"|\\S)+)");

        static List<TknStart> inReadme(String readme) {
            List<TknStart> commands = new ArrayList<>();
            Matcher command = COMMAND.matcher(readme);
            while (command.find()) {
                Map<String, String> params = new LinkedHashMap<>();
                Map<String, String> flags = new LinkedHashMap<>();
                List<Map<String, Object>> workspaces = new ArrayList<>();
                Matcher argument = ARGUMENT.matcher(command.group(1).replace("\\\n", " "));
                while (argument.find()) {
                    String value = argument.group(2);
                    switch (argument.group(1)) {
                        case "-p" -> params.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
                        case "-w" -> {
                            Map<String, String> fields = new LinkedHashMap<>();
                            for (String field : value.split(",")) {
                                fields.put(field.substring(0, field.indexOf('=')), field.substring(field.indexOf('=') + 1));
                            }
                            Map<String, Object> binding = new LinkedHashMap<>(Map.of("name", fields.get("name")));
                            if (fields.containsKey("claimName")) {
                                binding.put("persistentVolumeClaim", Map.of("claimName", fields.get("claimName")));
                            } else if (fields.containsKey("volumeClaimTemplateFile")) {
                                binding.put("volumeClaimTemplate", Map.of());
                            } else if (fields.containsKey("secret")) {
                                binding.put("secret", Map.of("secretName", fields.get("secret")));
                            } else {
                                binding.put("other", fields);
                            }
                            workspaces.add(binding);
                        }
                        default -> flags.put(argument.group(1), value);
                    }
                }
                commands.add(new TknStart(params, JSON.valueToTree(workspaces), flags));
            }
            return commands;
        }
    }

    /** The README's `tkn pipeline start` commands give what the triggered run gives. */
    @Test
    void theReadmesRunsByHandAreTheTriggeredRun() throws IOException {
        JsonNode run = TektonFiles.triggeredRun().path("spec");
        for (TknStart command : TknStart.inReadme(Files.readString(README))) {
            assertEquals(TektonFiles.names(TektonFiles.pipeline().path("spec").path("params")), command.params().keySet());
            assertEquals(TektonFiles.names(run.path("workspaces")), TektonFiles.names(command.workspaces()));
            String environment = command.params().get("environment");
            assertEquals("greeting-build-" + environment, command.workspaces().get(0).path("persistentVolumeClaim")
                    .path("claimName").asText(), "the environment's own build volume");
            assertEquals(run.path("taskRunTemplate").path("serviceAccountName").asText(), command.flags().get("--serviceaccount"));
            assertEquals(TektonFiles.POD_TEMPLATE.toString(), command.flags().get("--pod-template"));
            assertEquals(run.path("timeouts").path("pipeline").asText(), command.flags().get("--pipeline-timeout"));
            assertEquals(run.path("timeouts").path("tasks").asText(), command.flags().get("--tasks-timeout"));
            assertEquals(run.path("timeouts").path("finally").asText(), command.flags().get("--finally-timeout"));
        }
    }
}
