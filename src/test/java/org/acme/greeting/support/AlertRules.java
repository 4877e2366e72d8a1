package org.acme.greeting.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The rules of knative/observability/prometheusrule.yaml as Prometheus itself reads them: the
 * Operator hands Prometheus the PrometheusRule's spec (its groups) as a rule file, and so do the
 * tests, to promtool and to a real Prometheus.
 */
public final class AlertRules {

    public static final Path PROMETHEUS_RULE = Path.of("knative", "observability", "prometheusrule.yaml");
    private static final YAMLMapper YAML = new YAMLMapper();

    public record Rule(String name, String expr) {
    }

    private AlertRules() {
    }

    /** Writes the rule file to the path given and returns it. */
    public static Path writeRuleFile(Path file) throws IOException {
        ObjectNode rules = YAML.createObjectNode();
        rules.set("groups", YAML.readTree(PROMETHEUS_RULE.toFile()).path("spec").path("groups"));
        Files.createDirectories(file.getParent());
        YAML.writeValue(file.toFile(), rules);
        return file;
    }

    public static List<Rule> rules() throws IOException {
        List<Rule> rules = new ArrayList<>();
        for (JsonNode group : YAML.readTree(PROMETHEUS_RULE.toFile()).path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
                rules.add(new Rule(name, rule.path("expr").asText()));
            }
        }
        return rules;
    }
}
