package org.acme.greeting.tekton;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The pod Tekton Pipelines creates for a TaskRun, as far as Pod Security admission looks at it
 * (tektoncd/pipeline pkg/pod/pod.go, script.go, workingdir_init.go, security_context_config.go):
 * the PipelineRun's podTemplate securityContext on the pod; Tekton's init containers "prepare",
 * "place-scripts" (when a step or sidecar has a script) and "working-dir-initializer" (when a step
 * sets workingDir), each with Tekton's restricted securityContext when the feature flag
 * set-security-context is "true" and none otherwise; each step with the stepTemplate merged under
 * it, field by field (MergeStepsWithStepTemplate); each sidecar; the Task's volumes and a volume
 * per bound workspace.
 */
final class TektonPods {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** LinuxSecurityContext in pkg/pod/security_context_config.go. */
    private static final String TEKTON_RESTRICTED = """
            {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": true,
             "seccompProfile": {"type": "RuntimeDefault"}}""";

    private TektonPods() {
    }

    /** The pod of a TaskRun of this Task, given the podTemplate and Tekton's set-security-context flag. */
    static ObjectNode podOf(JsonNode task, JsonNode podTemplate, boolean setSecurityContext) {
        JsonNode spec = task.path("spec");
        ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", task.path("metadata").path("name").asText() + "-pod");
        ObjectNode podSpec = pod.putObject("spec");
        if (podTemplate.has("securityContext")) {
            podSpec.set("securityContext", podTemplate.get("securityContext").deepCopy());
        }
        ArrayNode init = podSpec.putArray("initContainers");
        addInit(init, "prepare", setSecurityContext);
        boolean scripts = false;
        boolean workingDirs = false;
        for (JsonNode container : iterable(spec.path("steps"), spec.path("sidecars"))) {
            scripts |= container.has("script");
        }
        for (JsonNode step : spec.path("steps")) {
            workingDirs |= step.has("workingDir") || spec.path("stepTemplate").has("workingDir");
        }
        if (scripts) {
            addInit(init, "place-scripts", setSecurityContext);
        }
        if (workingDirs) {
            addInit(init, "working-dir-initializer", setSecurityContext);
        }
        ArrayNode containers = podSpec.putArray("containers");
        for (JsonNode step : spec.path("steps")) {
            ObjectNode merged = spec.path("stepTemplate").isObject() ? (ObjectNode) spec.path("stepTemplate").deepCopy()
                    : JSON.createObjectNode();
            merge(merged, step);
            containers.add(merged);
        }
        spec.path("sidecars").forEach(sidecar -> containers.add(sidecar.deepCopy()));
        ArrayNode volumes = podSpec.putArray("volumes");
        spec.path("volumes").forEach(v -> volumes.add(v.deepCopy()));
        spec.path("workspaces").forEach(w -> volumes.addObject().put("name", "ws-" + w.path("name").asText())
                .putObject("persistentVolumeClaim").put("claimName", "bound-at-run-time"));
        for (String internal : new String[] { "tekton-internal-workspace", "tekton-internal-home", "tekton-internal-results",
                "tekton-internal-steps", "tekton-internal-scripts", "tekton-internal-bin" }) {
            volumes.addObject().put("name", internal).putObject("emptyDir");
        }
        volumes.addObject().put("name", "tekton-internal-downward").putObject("downwardAPI");
        return pod;
    }

    private static void addInit(ArrayNode init, String name, boolean setSecurityContext) {
        ObjectNode container = init.addObject().put("name", name).put("image", "tekton-internal/" + name);
        if (setSecurityContext) {
            try {
                container.set("securityContext", JSON.readTree(TEKTON_RESTRICTED));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The step's fields over the template's; objects merged field by field, lists taken whole (env merged by name). */
    private static void merge(ObjectNode target, JsonNode step) {
        Iterator<Map.Entry<String, JsonNode>> fields = step.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode current = target.get(field.getKey());
            if (current != null && current.isObject() && field.getValue().isObject()) {
                merge((ObjectNode) current, field.getValue());
            } else if (current != null && current.isArray() && field.getKey().equals("env")) {
                ArrayNode env = (ArrayNode) current;
                field.getValue().forEach(e -> {
                    for (int i = env.size() - 1; i >= 0; i--) {
                        if (env.get(i).path("name").equals(e.path("name"))) {
                            env.remove(i);
                        }
                    }
                    env.add(e.deepCopy());
                });
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }

    private static Iterable<JsonNode> iterable(JsonNode first, JsonNode second) {
        ArrayNode all = JSON.createArrayNode();
        first.forEach(all::add);
        second.forEach(all::add);
        return all;
    }
}
