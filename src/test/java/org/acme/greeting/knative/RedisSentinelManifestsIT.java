package org.acme.greeting.knative;

import org.acme.greeting.support.TypedModels;
import org.acme.greeting.support.Kustomize;
import org.acme.greeting.support.SchemaValidator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * knative/redis-sentinel: the component that points the Service at Redis with Sentinel, rendered
 * into the prod overlay as a user would, and the redis-ha chart values it must agree with. The
 * chart is not rendered here (no Helm offline); its defaults below are read from its values.yaml
 * at chart 4.39.0 (github.com/DandyDeveloper/charts, charts/redis-ha).
 */
@Tag("tools")
class RedisSentinelManifestsIT {

    private static final Path COMPONENT = Path.of("knative", "redis-sentinel");
    private static final Path RENDERED = Path.of("target", "rendered-manifests");
    /** The chart's defaults that the values file does not set: redis.port and sentinel.port. */
    private static final int CHART_REDIS_PORT = 6379;
    private static final int CHART_SENTINEL_PORT = 26379;
    private static final ObjectMapper YAML = new YAMLMapper();

    private static String prodYaml;
    private static String prodWithSentinelYaml;
    private static Service prodWithSentinel;
    private static JsonNode values;

    @BeforeAll
    static void render() throws IOException {
        String rendered = Kustomize.buildWithComponent("sentinel-overlay", "overlays/prod", "redis-sentinel");
        Files.createDirectories(RENDERED);
        Files.writeString(RENDERED.resolve("prod-sentinel-service.yaml"), rendered);
        prodWithSentinelYaml = rendered;
        prodWithSentinel = only(TypedModels.parse(rendered, "prod with redis-sentinel"));
        prodYaml = Kustomize.build(Path.of("knative", "overlays", "prod"));
        values = YAML.readTree(COMPONENT.resolve("redis-ha-values.yaml").toFile());
    }

    @Test
    void theRenderedServicePassesTheSchemas() {
        String report = SchemaValidator.validate(List.of(RENDERED.resolve("prod-sentinel-service.yaml")));
        assertTrue(report.contains("0 invalid"), report);
    }

    /** The component adds the Sentinel settings and changes nothing else of the environment's Service. */
    @Test
    void theComponentOnlyAddsTheSentinelSettings() {
        Service prod = only(TypedModels.parse(prodYaml, "prod"));
        Service withSentinel = only(TypedModels.parse(prodWithSentinelYaml, "prod with redis-sentinel"));
        Map<String, EnvVar> before = env(prod);
        Map<String, EnvVar> after = env(withSentinel);
        assertEquals(Set.of("QUARKUS_PROFILE", "REDIS_SENTINELS", "REDIS_MASTER_NAME", "COUNTER_DURABILITY"),
                difference(after.keySet(), before.keySet()));
        before.forEach((name, value) -> assertEquals(value, after.get(name), name));
        withSentinel.getSpec().getTemplate().getSpec().getContainers().get(0).setEnv(null);
        prod.getSpec().getTemplate().getSpec().getContainers().get(0).setEnv(null);
        assertEquals(prod, withSentinel);
    }

    @Test
    void theSettingsNameProfilesAndValuesTheApplicationKnows() throws IOException {
        Map<String, EnvVar> env = env(prodWithSentinel);
        String properties = Files.readString(Path.of("src", "main", "resources", "application.properties"));
        List<String> profiles = Arrays.asList(env.get("QUARKUS_PROFILE").getValue().split(","));
        assertEquals("prod", profiles.get(0), "prod first: the image's own profile stays active");
        for (String profile : profiles.subList(1, profiles.size())) {
            assertTrue(properties.contains("%" + profile + ".quarkus.redis."), "application.properties has the profile " + profile);
        }
        assertTrue(profiles.contains("redis-sentinel"), "the redis-sentinel profile is active: " + profiles);
        assertTrue(properties.contains("${COUNTER_DURABILITY:"), "application.properties reads COUNTER_DURABILITY");
        assertEquals("replicated", env.get("COUNTER_DURABILITY").getValue());
    }

    /**
     * The chart's Services: one headless Service and one ClusterIP Service per pod,
     * {@code <fullname>-announce-<i>}, whose stable address each sentinel announces; a list of
     * all of them lets the client find a sentinel while any one pod is gone.
     */
    @Test
    void theSentinelAddressesAreTheChartsAnnounceServicesOnTheSentinelPort() {
        String fullname = values.path("fullnameOverride").asText();
        int replicas = values.path("replicas").asInt();
        List<URI> expected = IntStream.range(0, replicas)
                .mapToObj(i -> URI.create("redis://" + fullname + "-announce-" + i + ":" + CHART_SENTINEL_PORT)).toList();
        List<URI> sentinels = Arrays.stream(env(prodWithSentinel).get("REDIS_SENTINELS").getValue().split(","))
                .map(URI::create).toList();
        assertEquals(expected, sentinels);
        assertTrue(replicas >= 3, "three sentinels, so that a quorum of two survives one lost node");
        assertEquals(values.path("redis").path("masterGroupName").asText(), env(prodWithSentinel).get("REDIS_MASTER_NAME").getValue());
    }

    /** Vert.x 4.5's sentinel client gives the sentinels and the primary the same password (README). */
    @Test
    void theServersTheSentinelsAndTheFunctionReadOnePasswordFromTheSameSecret() {
        var secretRef = env(prodWithSentinel).get("REDIS_PASSWORD").getValueFrom().getSecretKeyRef();
        assertTrue(values.path("auth").asBoolean() && values.path("sentinel").path("auth").asBoolean(), "auth on both");
        assertEquals(List.of(secretRef.getName(), secretRef.getKey()),
                List.of(values.path("existingSecret").asText(), values.path("authKey").asText()), "the servers' password");
        assertEquals(List.of(secretRef.getName(), secretRef.getKey()),
                List.of(values.path("sentinel").path("existingSecret").asText(), values.path("sentinel").path("authKey").asText()),
                "the sentinels' password");
        assertTrue(values.path("redisPassword").isMissingNode() && values.path("sentinel").path("password").isMissingNode(),
                "no password in the values file");
    }

    /** The chart's NetworkPolicy admits its own pods; the function's pods need both ports. */
    @Test
    void theChartsNetworkPolicyAdmitsTheFunctionsPodsOnTheServerAndSentinelPorts() {
        assertTrue(values.path("networkPolicy").path("enabled").asBoolean(), "the chart's NetworkPolicy is on");
        String service = prodWithSentinel.getMetadata().getName();
        List<String> admitted = new ArrayList<>();
        for (JsonNode rule : values.path("networkPolicy").path("ingressRules")) {
            boolean selectsFunction = false;
            for (JsonNode selector : rule.path("selectors")) {
                selectsFunction |= service.equals(selector.path("podSelector").path("matchLabels")
                        .path("serving.knative.dev/service").asText()) && selector.path("namespaceSelector").isMissingNode();
            }
            if (selectsFunction) {
                rule.path("ports").forEach(port -> admitted.add(port.path("port").asInt() + "/" + port.path("protocol").asText()));
            }
        }
        assertEquals(List.of(CHART_REDIS_PORT + "/TCP", CHART_SENTINEL_PORT + "/TCP"), admitted);
    }

    private static Service only(List<HasMetadata> objects) {
        assertEquals(1, objects.size(), "one object: " + objects);
        return (Service) objects.get(0);
    }

    private static Map<String, EnvVar> env(Service service) {
        return service.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e, (a, b) -> {
                    throw new AssertionError("duplicate variable " + a.getName());
                }, LinkedHashMap::new));
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        return a.stream().filter(x -> !b.contains(x)).collect(Collectors.toSet());
    }
}
