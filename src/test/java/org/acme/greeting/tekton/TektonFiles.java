package org.acme.greeting.tekton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** What is under tekton/, read once: its Kubernetes objects by kind and name, and the run settings file. */
final class TektonFiles {

    static final Path TEKTON = Path.of("tekton");
    /** The pod template of every TaskRun, given to `tkn pipeline start --pod-template` by the README. */
    static final Path POD_TEMPLATE = TEKTON.resolve("pod-template.yaml");
    static final ObjectMapper YAML = new YAMLMapper();
    private static final Map<String, Map<String, JsonNode>> RESOURCES = read();

    private TektonFiles() {
    }

    /** kind -> name -> object, everything. */
    static Map<String, Map<String, JsonNode>> all() {
        return RESOURCES;
    }

    /** name -> object, of one kind. */
    static Map<String, JsonNode> ofKind(String kind) {
        return RESOURCES.getOrDefault(kind, Map.of());
    }

    static JsonNode pipeline() {
        return ofKind("Pipeline").get("greeting-delivery");
    }

    /** The PipelineRun the TriggerTemplate creates for each accepted push. */
    static JsonNode triggeredRun() {
        return ofKind("TriggerTemplate").get("greeting-delivery-run").path("spec").path("resourcetemplates").get(0);
    }

    /** The delivery Pipeline's tasks and finally tasks, in order. */
    static List<JsonNode> pipelineTasks() {
        return pipelineTasks(pipeline());
    }

    /** A Pipeline's tasks and finally tasks, in order. */
    static List<JsonNode> pipelineTasks(JsonNode pipeline) {
        List<JsonNode> tasks = new ArrayList<>();
        pipeline.path("spec").path("tasks").forEach(tasks::add);
        pipeline.path("spec").path("finally").forEach(tasks::add);
        return tasks;
    }

    /** The review Pipeline: one pull request's review app. */
    static JsonNode reviewPipeline() {
        return ofKind("Pipeline").get("greeting-review");
    }

    /** The PipelineRun the review TriggerTemplate creates for a pull request event that deploys. */
    static JsonNode triggeredReviewRun() {
        return ofKind("TriggerTemplate").get("greeting-review-run").path("spec").path("resourcetemplates").get(0);
    }

    static JsonNode pipelineTask(String name) {
        return pipelineTask(pipeline(), name);
    }

    static JsonNode pipelineTask(JsonNode pipeline, String name) {
        return pipelineTasks(pipeline).stream().filter(t -> t.path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no pipeline task " + name + " in " + pipeline.path("metadata").path("name").asText()));
    }

    static JsonNode taskOf(JsonNode pipelineTask) {
        return ofKind("Task").get(pipelineTask.path("taskRef").path("name").asText());
    }

    /** Every YAML file under tekton/ that holds Kubernetes objects (not the pod template). */
    static List<Path> yamlFiles() {
        try (Stream<Path> files = Files.walk(TEKTON)) {
            return files.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().startsWith("."))
                    .filter(p -> !p.equals(POD_TEMPLATE))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode podTemplateFile() {
        try {
            return YAML.readTree(POD_TEMPLATE.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Set<String> names(JsonNode list) {
        Set<String> names = new TreeSet<>();
        list.forEach(n -> names.add(n.path("name").asText()));
        return names;
    }

    /** A pipeline task's params (or a Task's defaults) as name -> value. */
    static Map<String, String> paramValues(JsonNode pipelineTask) {
        Map<String, String> values = new HashMap<>();
        pipelineTask.path("params").forEach(p -> values.put(p.path("name").asText(), p.path("value").asText()));
        return values;
    }

    static Map<String, String> paramDefaults(JsonNode task) {
        Map<String, String> values = new HashMap<>();
        task.path("spec").path("params").forEach(p -> values.put(p.path("name").asText(), p.path("default").asText(null)));
        return values;
    }

    /** A named param of an interceptor or resolver. */
    static JsonNode param(JsonNode holder, String name) {
        for (JsonNode p : holder.path("params")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("value");
            }
        }
        return MissingNode.getInstance();
    }

    /** A Tekton duration such as 1h40m or 30m or 90s, in seconds. */
    static long seconds(String duration) {
        Matcher m = Pattern.compile("(\\d+)([hms])").matcher(duration);
        long total = 0;
        int matched = 0;
        while (m.find()) {
            total += Long.parseLong(m.group(1)) * switch (m.group(2)) {
                case "h" -> 3600;
                case "m" -> 60;
                default -> 1;
            };
            matched += m.group().length();
        }
        if (matched != duration.length()) {
            throw new AssertionError("not a duration: " + duration);
        }
        return total;
    }

    private static Map<String, Map<String, JsonNode>> read() {
        Map<String, Map<String, JsonNode>> resources = new HashMap<>();
        for (Path file : yamlFiles()) {
            try (var parser = YAML.getFactory().createParser(file.toFile())) {
                for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
                    resources.computeIfAbsent(doc.path("kind").asText(), k -> new LinkedHashMap<>())
                            .put(doc.path("metadata").path("name").asText(), doc);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return resources;
    }
}
