package org.acme.greeting.knative;

import org.acme.greeting.support.Kustomize;
import org.acme.greeting.support.SchemaValidator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * knative/observability, added to the prod platform as its kustomization says: the objects pass
 * the Prometheus Operator's and Kubernetes' schemas, land in the namespace of the Service that
 * the pipeline deploys (knative/overlays/prod), and the
 * PodMonitor finds the pods Knative runs for the Service, on the port it names. What Knative puts
 * on those pods is from knative/serving 1.20: the label serving.knative.dev/service
 * (pkg/apis/serving/register.go, ServiceLabelKey) and the container port user-port
 * (pkg/apis/serving/v1/revision_helpers.go, UserPortName).
 */
@Tag("tools")
class ObservabilityManifestsIT {

    private static final Path RENDERED = Path.of("target", "rendered-manifests", "prod-observability.yaml");
    private static final List<JsonNode> OBJECTS = new ArrayList<>();
    /** The Knative Service as the pipeline renders it for prod. */
    private static JsonNode SERVICE;

    @BeforeAll
    static void render() throws IOException {
        String rendered = Kustomize.buildWithComponent("observability-overlay", "platform/prod", "observability");
        Files.createDirectories(RENDERED.getParent());
        Files.writeString(RENDERED, rendered);
        OBJECTS.addAll(Kustomize.objects(rendered));
        SERVICE = Kustomize.objects(Kustomize.build(Path.of("knative", "overlays", "prod"))).get(0);
    }

    private static JsonNode only(String kind) {
        List<JsonNode> found = OBJECTS.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
        assertEquals(1, found.size(), kind + " objects: " + found);
        return found.get(0);
    }

    @Test
    void theRenderedObjectsPassTheSchemas() {
        assertEquals(List.of("Namespace", "Service", "Service", "StatefulSet", "NetworkPolicy", "ConfigMap", "PodMonitor", "PrometheusRule")
                .stream().sorted().toList(), OBJECTS.stream().map(o -> o.path("kind").asText()).sorted().toList());
        String report = SchemaValidator.validate(List.of(RENDERED));
        assertTrue(report.contains("valid " + RENDERED.toAbsolutePath() + ": monitoring.coreos.com/v1/PodMonitor greeting"), report);
        assertTrue(report.contains("valid " + RENDERED.toAbsolutePath() + ": monitoring.coreos.com/v1/PrometheusRule greeting"), report);
        assertTrue(report.contains("0 invalid"), report);
    }

    /** A PodMonitor selects pods in its own namespace only, by label, and scrapes a named port. */
    @Test
    void thePodMonitorScrapesTheServicesPodsOnTheUserPort() {
        JsonNode service = SERVICE;
        assertEquals("Service", service.path("kind").asText());
        JsonNode podMonitor = only("PodMonitor");
        assertEquals(service.path("metadata").path("namespace").asText(), podMonitor.path("metadata").path("namespace").asText());
        assertEquals(service.path("metadata").path("name").asText(),
                podMonitor.path("spec").path("selector").path("matchLabels").path("serving.knative.dev/service").asText());
        assertEquals(1, podMonitor.path("spec").path("selector").path("matchLabels").size(), "only labels Knative sets");
        JsonNode endpoint = podMonitor.path("spec").path("podMetricsEndpoints").get(0);
        assertEquals("user-port", endpoint.path("port").asText());
        assertEquals("/q/metrics", endpoint.path("path").asText());
        // The Service's container port is the one Knative renames user-port.
        JsonNode ports = service.path("spec").path("template").path("spec").path("containers").get(0).path("ports");
        assertEquals(1, ports.size(), "one container port: " + ports);
    }

    @Test
    void theDashboardConfigMapHoldsTheDashboardForGrafanasSidecar() throws IOException {
        JsonNode configMap = only("ConfigMap");
        assertEquals("greeting-prod", configMap.path("metadata").path("namespace").asText());
        assertEquals("1", configMap.path("metadata").path("labels").path("grafana_dashboard").asText());
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(configMap.path("data").path("greeting-dashboard.json").asText());
        assertEquals(new ObjectMapper().readTree(Path.of("knative", "observability", "greeting-dashboard.json").toFile()), json);
    }

    @Test
    void theRulesAreInTheServicesNamespace() {
        assertEquals("greeting-prod", only("PrometheusRule").path("metadata").path("namespace").asText());
    }
}
