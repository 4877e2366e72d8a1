package org.acme.greeting.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.acme.greeting.support.Kustomize;
import org.acme.greeting.support.SchemaValidator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The component knative/domain, rendered as an administrator adds it to an environment's platform:
 * the objects pass the schemas of their kinds (kubernetes-models' Knative and cert-manager models),
 * the DomainMapping is served as serving.knative.dev/v1beta1 (the only version Knative Serving
 * 1.20 serves, config/core/resources/domainmapping.yaml) and maps the domain its ClusterDomainClaim
 * claims for the same namespace to the Knative Service the pipeline deploys there; nothing
 * cluster-wide of Knative's is shipped. Needs kubectl and Node.js (tag "tools").
 */
@Tag("tools")
class DomainComponentIT {

    private static final ObjectMapper YAML = new YAMLMapper();

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void theDomainMapsToTheEnvironmentsServiceWithAClaimForThatNamespace(String environment) throws IOException {
        List<JsonNode> objects = render(environment);
        assertEquals(List.of("ClusterDomainClaim", "DomainMapping", "Namespace", "NetworkPolicy", "Service", "Service", "StatefulSet"),
                objects.stream().map(o -> o.path("kind").asText()).sorted().toList(), "no ConfigMap: Knative's settings are the user's");
        JsonNode mapping = only(objects, "DomainMapping");
        JsonNode claim = only(objects, "ClusterDomainClaim");
        JsonNode service = Kustomize.objects(Kustomize.build(Path.of("knative", "overlays", environment))).get(0);

        assertEquals("serving.knative.dev/v1beta1", mapping.path("apiVersion").asText());
        assertEquals("networking.internal.knative.dev/v1alpha1", claim.path("apiVersion").asText());
        assertEquals(service.path("metadata").path("namespace").asText(), mapping.path("metadata").path("namespace").asText(),
                "the mapping is in the Service's namespace (Knative resolves spec.ref there)");
        assertEquals("greeting-" + environment, mapping.path("metadata").path("namespace").asText());
        assertEquals(YAML.readTree("{apiVersion: serving.knative.dev/v1, kind: Service, name: " + service.path("metadata").path("name").asText() + "}"),
                mapping.path("spec").path("ref"), "the mapping points at the Knative Service the pipeline deploys");
        assertEquals(mapping.path("metadata").path("name").asText(), claim.path("metadata").path("name").asText(),
                "the claim is for the mapped domain");
        assertEquals("greeting-" + environment, claim.path("spec").path("namespace").asText(),
                "the claim lets the mapping's namespace, and only it, use the domain");

        Path file = Path.of("target", "rendered-manifests", environment + "-domain.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, YAML.writeValueAsString(mapping) + "---\n" + YAML.writeValueAsString(claim));
        String report = SchemaValidator.validate(List.of(file));
        assertTrue(report.contains("valid " + file.toAbsolutePath() + ": serving.knative.dev/v1beta1/DomainMapping greeting.example.com"), report);
        assertTrue(report.contains("valid " + file.toAbsolutePath() + ": networking.internal.knative.dev/v1alpha1/ClusterDomainClaim"), report);
        assertTrue(report.contains("0 invalid"), report);
    }

    /** The pipeline renders overlays/, which must stay the Knative Service alone with the component in a platform. */
    @Test
    void theOverlaysStillRenderTheServiceAlone() {
        for (String environment : List.of("dev", "prod")) {
            List<JsonNode> overlay = Kustomize.objects(Kustomize.build(Path.of("knative", "overlays", environment)));
            assertEquals(List.of("Service"), overlay.stream().map(o -> o.path("kind").asText()).toList());
        }
    }

    @Test
    void theClusterIssuerExamplePassesCertManagersSchemaAndTheReadmeNamesItInKnativesSettings() throws IOException {
        Path example = Path.of("knative", "domain", "cluster-issuer.example.yaml");
        String report = SchemaValidator.validate(List.of(example));
        assertTrue(report.contains("valid " + example.toAbsolutePath() + ": cert-manager.io/v1/ClusterIssuer letsencrypt-http01"), report);
        String readme = Files.readString(Path.of("knative", "README.md"));
        for (String setting : List.of("config-certmanager", "issuerRef", "kind: ClusterIssuer", "name: letsencrypt-http01",
                "config-network", "external-domain-tls", "Enabled", "http-protocol", "Redirected")) {
            assertTrue(readme.contains(setting), "knative/README.md names " + setting);
        }
    }

    private static List<JsonNode> render(String environment) {
        try {
            return Kustomize.objects(Kustomize.buildWithComponent("domain-" + environment, "platform/" + environment, "domain"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode only(List<JsonNode> objects, String kind) {
        List<JsonNode> found = objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
        assertEquals(1, found.size(), kind + ": " + found);
        return found.get(0);
    }
}
