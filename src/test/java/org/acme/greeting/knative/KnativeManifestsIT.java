package org.acme.greeting.knative;

import org.acme.greeting.support.TypedModels;
import org.acme.greeting.support.Kustomize;
import org.acme.greeting.support.PodSecurityRestricted;
import org.acme.greeting.support.SchemaValidator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;

/**
 * Checks everything under knative/ as far as a machine without a cluster can: the committed
 * Knative Service is what the build generates, every resource and every rendered overlay passes
 * the Kubernetes and Knative schemas and parses into typed models, and the rendered objects
 * keep the properties a real cluster relies on.
 */
@Tag("tools")
class KnativeManifestsIT {

    private static final Path KNATIVE = Path.of("knative");
    private static final Path RENDERED = Path.of("target", "rendered-manifests");
    private static final String REFRESH = "./mvnw package -DskipTests -Pmanifests";
    private static final String MIN_SCALE = "autoscaling.knative.dev/min-scale";
    private static final String MAX_SCALE = "autoscaling.knative.dev/max-scale";
    private static final Pattern SECRET_LIKE = Pattern.compile("(?i).*(PASSWORD|PASS|SECRET|TOKEN|AUTH|KEY).*");
    private static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory());

    /** What a namespace holds: the platform an administrator installs once, and the Service the pipeline deploys. */
    private static final Map<String, List<HasMetadata>> OVERLAYS = new HashMap<>();
    /** knative/overlays/<env>: what the pipeline renders and deploys. */
    private static final Map<String, List<HasMetadata>> SERVICE_OVERLAYS = new HashMap<>();
    /** knative/platform/<env>: what the one-time install applies. */
    private static final Map<String, List<HasMetadata>> PLATFORMS = new HashMap<>();

    @BeforeAll
    static void renderOverlays() throws IOException {
        Files.createDirectories(RENDERED);
        for (String overlay : List.of("dev", "prod", "review")) {
            String service = Kustomize.build(KNATIVE.resolve("overlays").resolve(overlay));
            String platform = Kustomize.build(KNATIVE.resolve("platform").resolve(overlay));
            String yaml = platform + "---\n" + service;
            Files.writeString(RENDERED.resolve(overlay + "-service.yaml"), service);
            Files.writeString(RENDERED.resolve(overlay + "-platform.yaml"), platform);
            Files.writeString(RENDERED.resolve(overlay + ".yaml"), yaml);
            SERVICE_OVERLAYS.put(overlay, TypedModels.parse(service, "overlay " + overlay));
            PLATFORMS.put(overlay, TypedModels.parse(platform, "platform " + overlay));
            OVERLAYS.put(overlay, TypedModels.parse(yaml, overlay));
        }
        String base = Kustomize.build(KNATIVE.resolve("base"));
        Files.writeString(RENDERED.resolve("base.yaml"), base);
        TypedModels.parse(base, "base");
    }

    /** Compared as data: the generator writes labels in no fixed order. */
    @Test
    void committedKnativeServiceIsWhatTheBuildGenerates() throws IOException {
        JsonNode generated = YAML.readTree(Path.of("target", "kubernetes", "knative.yml").toFile());
        JsonNode committed = YAML.readTree(KNATIVE.resolve("base").resolve("knative.yml").toFile());
        assertEquals(generated, committed,
                "knative/base/knative.yml differs from what the build generates; refresh it with: " + REFRESH);
    }

    @Test
    void everyResourceFileAndEveryRenderedOverlayPassesTheSchemas() throws IOException {
        List<Path> files = new ArrayList<>(resourceFiles());
        files.add(RENDERED.resolve("base.yaml"));
        for (String overlay : List.of("dev", "prod", "review")) {
            files.add(RENDERED.resolve(overlay + "-service.yaml"));
            files.add(RENDERED.resolve(overlay + "-platform.yaml"));
        }
        String report = SchemaValidator.validate(files);
        assertTrue(report.contains("0 invalid"), report);
    }

    @Test
    void everyResourceFileParsesIntoTypedModels() throws IOException {
        List<Path> files = resourceFiles();
        assertTrue(files.size() >= 6, "found the resource files: " + files);
        // fabric8 here has no Prometheus Operator models; the schema test above and
        // ObservabilityManifestsIT check knative/observability's PodMonitor and PrometheusRule.
        files = files.stream().filter(f -> !f.startsWith(Path.of("knative", "observability"))).toList();
        // Nor Knative's DomainMapping v1beta1 and ClusterDomainClaim or cert-manager's ClusterIssuer:
        // the schema test above and DomainComponentIT check knative/domain.
        files = files.stream().filter(f -> !f.startsWith(Path.of("knative", "domain"))).toList();
        for (Path file : files) {
            assertFalse(TypedModels.parse(Files.readString(file), file.toString()).isEmpty(), file + " holds no object");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void scalesToZeroPerServiceOnly(String overlay) {
        Map<String, String> annotations = knativeService(overlay).getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("0", annotations.get(MIN_SCALE), "scale to zero is set on the revision template");
        assertTrue(Integer.parseInt(annotations.get(MAX_SCALE)) >= 1, "a max-scale bounds the replicas");
        assertTrue(OVERLAYS.get(overlay).stream()
                .noneMatch(o -> "knative-serving".equals(o.getMetadata().getNamespace())),
                "nothing is written into the cluster-wide knative-serving namespace");
        assertTrue(OVERLAYS.get(overlay).stream().noneMatch(o -> o.getKind().equals("ConfigMap")),
                "no cluster-wide autoscaler ConfigMap");
        assertTrue(knativeService(overlay).getSpec().getTemplate().getSpec().getContainerConcurrency() > 0);
        assertTrue(knativeService(overlay).getSpec().getTemplate().getSpec().getTimeoutSeconds() > 0);
    }

    /**
     * Readiness is /health: a probe on /ready (503 while Redis is unreachable) would take every pod
     * out of service during a Redis outage, and Knative's activator would answer 503/504 instead
     * of the degraded greeting (KnativeProbesIT shows what the queue-proxy sees).
     */
    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void probesCheckHealthOnTheContainerPortSoThatARedisOutageDegradesInsteadOfFailing(String overlay) {
        Container container = functionContainer(overlay);
        int port = container.getPorts().get(0).getContainerPort();
        Probe readiness = container.getReadinessProbe();
        Probe liveness = container.getLivenessProbe();
        assertNotNull(readiness, "readiness probe");
        assertNotNull(liveness, "liveness probe");
        assertEquals("/health", readiness.getHttpGet().getPath(), "readiness must not depend on Redis");
        assertEquals(port, readiness.getHttpGet().getPort().getIntVal(), "readiness probe port");
        assertEquals("/health", liveness.getHttpGet().getPath());
        assertEquals(port, liveness.getHttpGet().getPort().getIntVal(), "liveness probe port");
    }

    /** Knative's webhook rejects a readiness probe with periodSeconds 0 that sets timeoutSeconds or failureThreshold. */
    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void readinessProbeIsOneKnativeAccepts(String overlay) {
        Container container = functionContainer(overlay);
        Probe readiness = container.getReadinessProbe();
        assertEquals(0, readiness.getPeriodSeconds(), "aggressive probing, for the fastest cold start");
        assertEquals(0, Objects.requireNonNullElse(readiness.getInitialDelaySeconds(), 0));
        assertNull(readiness.getTimeoutSeconds(), "Knative rejects timeoutSeconds when periodSeconds is 0");
        assertNull(readiness.getFailureThreshold(), "Knative rejects failureThreshold when periodSeconds is 0");
        assertEquals(1, container.getPorts().size(), "Knative serves exactly one port");
        assertTrue(Set.of("http1", "h2c").contains(container.getPorts().get(0).getName()));
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void noSecretValueIsInTheManifests(String overlay) {
        List<HasMetadata> objects = OVERLAYS.get(overlay);
        assertTrue(objects.stream().noneMatch(o -> o.getKind().equals("Secret")), "no Secret is committed");
        for (Container container : allContainers(overlay)) {
            for (EnvVar env : container.getEnv()) {
                if (SECRET_LIKE.matcher(env.getName()).matches()) {
                    assertNull(env.getValue(), container.getName() + " " + env.getName() + " is written in plain text");
                    assertNotNull(env.getValueFrom().getSecretKeyRef(),
                            container.getName() + " " + env.getName() + " must come from a Secret");
                }
            }
            List<String> args = container.getArgs();
            for (int i = 0; i < args.size() - 1; i++) {
                if (args.get(i).equals("--requirepass")) {
                    assertTrue(args.get(i + 1).matches("\\$\\([A-Z_]+\\)"),
                            "redis --requirepass takes an env reference, not a value");
                }
            }
        }
    }

    /**
     * Every workload in the rendered overlay passes the Pod Security "restricted" profile, which its
     * namespace enforces, so the API server would admit each pod. Knative adds its queue-proxy
     * sidecar at run time; Knative 1.8 and later make it meet the profile too.
     */
    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void everyWorkloadMeetsTheRestrictedPodSecurityProfileItsNamespaceEnforces(String overlay) throws IOException {
        Map<String, List<String>> violations = new TreeMap<>();
        int workloads = 0;
        try (var parser = YAML.getFactory().createParser(RENDERED.resolve(overlay + ".yaml").toFile())) {
            for (JsonNode object : YAML.readValues(parser, JsonNode.class).readAll()) {
                if (object.path("kind").asText().equals("Namespace")) {
                    assertEquals("restricted", object.path("metadata").path("labels")
                            .path("pod-security.kubernetes.io/enforce").asText(), "the namespace enforces restricted");
                }
                if (!PodSecurityRestricted.podSpec(object).path("containers").isMissingNode()) {
                    workloads++;
                    List<String> found = PodSecurityRestricted.violationsOf(object);
                    if (!found.isEmpty()) {
                        violations.put(object.path("kind").asText() + "/" + object.path("metadata").path("name").asText(), found);
                    }
                }
            }
        }
        assertEquals(2, workloads, "the Knative Service and the Redis StatefulSet were checked");
        for (HasMetadata object : OVERLAYS.get(overlay)) {
            JsonNode pod = PodSecurityRestricted.podSpec(YAML.valueToTree(object)).path("securityContext");
            if (pod.has("fsGroup")) {
                assertEquals("OnRootMismatch", pod.path("fsGroupChangePolicy").asText(), object.getKind()
                        + "/" + object.getMetadata().getName() + ": with fsGroup, chown the volume only when its root is not the group's");
            }
        }
        assertEquals(Map.of(), violations);
        assertNull(knativeService(overlay).getSpec().getTemplate().getSpec().getSecurityContext(),
                "Knative rejects a pod securityContext unless a feature flag is on: set it per container");
        assertTrue(functionContainer(overlay).getSecurityContext().getReadOnlyRootFilesystem());
    }

    /** The container securityContext fields Knative Serving (1.8 and later) accepts without feature flags. */
    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void functionSecurityContextUsesOnlyFieldsKnativeAccepts(String overlay) {
        JsonNode securityContext = YAML.valueToTree(functionContainer(overlay).getSecurityContext());
        Set<String> allowed = Set.of("allowPrivilegeEscalation", "capabilities", "readOnlyRootFilesystem",
                "runAsGroup", "runAsNonRoot", "runAsUser", "seccompProfile");
        Set<String> used = new TreeSet<>();
        securityContext.fieldNames().forEachRemaining(used::add);
        used.removeAll(allowed);
        assertEquals(Set.of(), used);
        assertTrue(functionContainer(overlay).getSecurityContext().getCapabilities().getAdd().isEmpty(),
                "Knative rejects added capabilities without a feature flag");
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void functionFindsRedisWithThePasswordRedisUses(String overlay) {
        Map<String, EnvVar> env = new HashMap<>();
        functionContainer(overlay).getEnv().forEach(e -> env.put(e.getName(), e));
        io.fabric8.kubernetes.api.model.Service redisService = OVERLAYS.get(overlay).stream()
                .filter(o -> o instanceof io.fabric8.kubernetes.api.model.Service)
                .map(o -> (io.fabric8.kubernetes.api.model.Service) o).findFirst().orElseThrow();
        assertEquals(redisService.getMetadata().getName(), env.get("REDIS_HOST").getValue());
        assertEquals(String.valueOf(redisService.getSpec().getPorts().get(0).getPort()), env.get("REDIS_PORT").getValue());
        assertEquals("ClusterIP", redisService.getSpec().getType());
        assertEquals(overlay, env.get("ENVIRONMENT").getValue());

        Container redis = statefulSet(overlay).getSpec().getTemplate().getSpec().getContainers().get(0);
        EnvVar redisPassword = redis.getEnv().stream().filter(e -> e.getName().equals("REDIS_PASSWORD")).findFirst().orElseThrow();
        assertEquals(redisPassword.getValueFrom().getSecretKeyRef().getName(),
                env.get("REDIS_PASSWORD").getValueFrom().getSecretKeyRef().getName());
        assertEquals(redisPassword.getValueFrom().getSecretKeyRef().getKey(),
                env.get("REDIS_PASSWORD").getValueFrom().getSecretKeyRef().getKey());
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void redisKeepsEveryWriteOnAVolumeAndIsProbedAndBounded(String overlay) {
        StatefulSet redis = statefulSet(overlay);
        Container container = redis.getSpec().getTemplate().getSpec().getContainers().get(0);
        String args = String.join(" ", container.getArgs());
        assertTrue(args.contains("--appendonly yes"), args);
        assertTrue(args.contains("--appendfsync always"), args);
        assertEquals("data", redis.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName());
        assertEquals("/data", container.getVolumeMounts().get(0).getMountPath());
        assertNotNull(container.getReadinessProbe());
        assertFalse(container.getResources().getLimits().isEmpty());
        assertFalse(container.getResources().getRequests().isEmpty());
        assertFalse(functionContainer(overlay).getResources().getLimits().isEmpty());
        assertFalse(functionContainer(overlay).getResources().getRequests().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void onlyTheFunctionAndRedisReachRedis(String overlay) {
        NetworkPolicy policy = OVERLAYS.get(overlay).stream().filter(o -> o instanceof NetworkPolicy)
                .map(o -> (NetworkPolicy) o).findFirst().orElseThrow();
        Map<String, String> redisLabels = statefulSet(overlay).getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(redisLabels.entrySet().containsAll(policy.getSpec().getPodSelector().getMatchLabels().entrySet()),
                "the policy selects the Redis pods");
        assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
        assertEquals(1, policy.getSpec().getIngress().size());
        List<NetworkPolicyPeer> from = policy.getSpec().getIngress().get(0).getFrom();
        Set<Map<String, String>> allowed = new java.util.HashSet<>();
        for (NetworkPolicyPeer peer : from) {
            assertNull(peer.getNamespaceSelector(), "no other namespace");
            assertNull(peer.getIpBlock(), "no address range");
            allowed.add(peer.getPodSelector().getMatchLabels());
        }
        assertEquals(Set.of(Map.of("serving.knative.dev/service", knativeService(overlay).getMetadata().getName()),
                policy.getSpec().getPodSelector().getMatchLabels()), allowed);
        assertEquals(6379, policy.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal());
    }

    /**
     * In greeting-review every review app counts (each Knative Service, whatever its name, is
     * greeting-pr-&lt;number&gt;), and so does the cleanup's TaskRun pod from greeting-cicd, which
     * Tekton labels with its Task's name (tekton.dev/task; Tekton docs, "Labels and Annotations");
     * nothing else, and no other namespace.
     */
    @Test
    void inTheReviewNamespaceEveryReviewAppAndOnlyTheCleanupFromCicdReachRedis() {
        NetworkPolicy policy = OVERLAYS.get("review").stream().filter(o -> o instanceof NetworkPolicy)
                .map(o -> (NetworkPolicy) o).findFirst().orElseThrow();
        assertEquals("greeting-review", policy.getMetadata().getNamespace());
        List<NetworkPolicyPeer> from = policy.getSpec().getIngress().get(0).getFrom();
        assertEquals(3, from.size(), from.toString());
        assertNull(from.get(0).getNamespaceSelector());
        assertEquals("serving.knative.dev/service", from.get(0).getPodSelector().getMatchExpressions().get(0).getKey());
        assertEquals("Exists", from.get(0).getPodSelector().getMatchExpressions().get(0).getOperator());
        assertNull(from.get(1).getNamespaceSelector());
        assertEquals(policy.getSpec().getPodSelector().getMatchLabels(), from.get(1).getPodSelector().getMatchLabels(), "Redis itself");
        assertEquals(Map.of("kubernetes.io/metadata.name", "greeting-cicd"), from.get(2).getNamespaceSelector().getMatchLabels());
        assertNotNull(from.get(2).getPodSelector(), "a namespaceSelector alone would admit every pod of greeting-cicd");
        assertEquals(Map.of("tekton.dev/task", "greeting-review-cleanup"), from.get(2).getPodSelector().getMatchLabels(),
                "from greeting-cicd, the cleanup's pods only: the review Task names it");
        assertTrue(Files.exists(Path.of("tekton", "tasks", "review-cleanup.yaml")));
        assertEquals(6379, policy.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal());
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void everyObjectCarriesTheStandardLabelsAndTheOverlayNamespace(String overlay) {
        for (HasMetadata object : OVERLAYS.get(overlay)) {
            Map<String, String> labels = object.getMetadata().getLabels();
            String id = object.getKind() + "/" + object.getMetadata().getName();
            assertEquals("greeting", labels.get("app.kubernetes.io/part-of"), id);
            if (!object.getKind().equals("Namespace")) {
                assertNotNull(labels.get("app.kubernetes.io/name"), id);
                assertEquals("greeting-" + overlay, object.getMetadata().getNamespace(), id);
            }
        }
    }

    @Test
    void devAndProdDifferOnlyWhereIntended() throws IOException {
        Map<String, String> dev = flatten(RENDERED.resolve("dev.yaml"), "greeting-dev");
        Map<String, String> prod = flatten(RENDERED.resolve("prod.yaml"), "greeting-prod");
        assertEquals(dev.keySet(), prod.keySet(), "dev and prod render the same objects and fields");
        Set<String> differences = new TreeSet<>();
        dev.forEach((path, value) -> {
            if (!value.equals(prod.get(path))) {
                differences.add(path);
            }
        });
        assertEquals(new TreeSet<>(Set.of(
                "Service/greeting.spec.template.metadata.annotations.autoscaling.knative.dev/max-scale",
                "Service/greeting.spec.template.spec.containers.0.env.3.value",
                "Service/greeting.spec.template.spec.containers.0.resources.requests.cpu")), differences);
    }

    /**
     * The one-time install applies only the platform (namespace, Redis, its Services and
     * NetworkPolicy); the Knative Service is the pipeline's alone, so a first release never finds a
     * Service with a placeholder image that could never become Ready.
     */
    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void theInstallAppliesThePlatformAndOnlyThePipelineTheKnativeService(String overlay) {
        assertEquals(List.of("Service/greeting"), SERVICE_OVERLAYS.get(overlay).stream()
                .map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList(), "the pipeline's overlay");
        assertTrue(SERVICE_OVERLAYS.get(overlay).get(0) instanceof Service, "a Knative Service");
        assertEquals(new TreeSet<>(Set.of("Namespace/greeting-" + overlay, "StatefulSet/greeting-redis", "Service/greeting-redis",
                "Service/greeting-redis-headless", "NetworkPolicy/greeting-redis")),
                new TreeSet<>(PLATFORMS.get(overlay).stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()),
                "the platform");
        assertTrue(PLATFORMS.get(overlay).stream().noneMatch(o -> o instanceof Service), "no Knative Service in the install");
    }

    /** The install (tekton/README.md) applies the platforms only; nothing a reader pastes applies the Service overlay. */
    @Test
    void theInstallAppliesThePlatformAndNeverTheServiceOverlay() throws IOException {
        String readme = Files.readString(Path.of("tekton", "README.md")) + Files.readString(Path.of("README.md"))
                + Files.readString(KNATIVE.resolve("README.md"));
        assertTrue(readme.contains("kubectl apply -k knative/platform/$env"), "the install applies knative/platform");
        assertFalse(Pattern.compile("kubectl apply -k \\S*knative/(overlays|base)").matcher(readme).find(),
                "the Knative Service is the pipeline's to deploy");
    }

    /** A StatefulSet's serviceName must name a headless Service that selects its pods (Kubernetes StatefulSet docs). */
    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void redisIsGovernedByAHeadlessService(String overlay) {
        StatefulSet redis = statefulSet(overlay);
        io.fabric8.kubernetes.api.model.Service governing = OVERLAYS.get(overlay).stream()
                .filter(o -> o instanceof io.fabric8.kubernetes.api.model.Service
                        && o.getMetadata().getName().equals(redis.getSpec().getServiceName()))
                .map(o -> (io.fabric8.kubernetes.api.model.Service) o).findFirst()
                .orElseThrow(() -> new AssertionError("no Service " + redis.getSpec().getServiceName()));
        assertEquals("None", governing.getSpec().getClusterIP(), "headless");
        assertTrue(redis.getSpec().getTemplate().getMetadata().getLabels().entrySet()
                .containsAll(governing.getSpec().getSelector().entrySet()), "it selects the Redis pods");
    }

    /** Each revision pulls the image with a Secret the install creates in each namespace (tekton/README.md, "Install"). */
    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "review" })
    void revisionsPullTheImageWithTheRegistrySecret(String overlay) {
        assertEquals(List.of("greeting-registry-pull"), knativeService(overlay).getSpec().getTemplate().getSpec()
                .getImagePullSecrets().stream().map(r -> r.getName()).toList());
    }

    private static List<Path> resourceFiles() throws IOException {
        Set<Path> notResources = new TreeSet<>();
        try (Stream<Path> files = Files.walk(KNATIVE)) {
            for (Path k : files.filter(p -> p.getFileName().toString().equals("kustomization.yaml")).toList()) {
                notResources.add(k);
                JsonNode kustomization = YAML.readTree(k.toFile());
                kustomization.path("patches").forEach(p -> {
                    if (p.has("path")) {
                        notResources.add(k.getParent().resolve(p.get("path").asText()).normalize());
                    }
                });
                // Transformer settings (knative/domain/kustomizeconfig.yaml), not objects.
                kustomization.path("configurations").forEach(c -> notResources.add(k.getParent().resolve(c.asText()).normalize()));
            }
        }
        try (Stream<Path> files = Files.walk(KNATIVE)) {
            return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !p.toString().contains("/."))
                    // Helm chart values (knative/redis-sentinel): RedisSentinelManifestsIT checks them.
                    .filter(p -> !p.getFileName().toString().endsWith("-values.yaml"))
                    .map(Path::normalize)
                    .filter(p -> !notResources.contains(p))
                    .sorted().toList();
        }
    }

    private static Service knativeService(String overlay) {
        return OVERLAYS.get(overlay).stream().filter(o -> o instanceof Service).map(o -> (Service) o)
                .findFirst().orElseThrow();
    }

    private static Container functionContainer(String overlay) {
        return knativeService(overlay).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static StatefulSet statefulSet(String overlay) {
        return OVERLAYS.get(overlay).stream().filter(o -> o instanceof StatefulSet).map(o -> (StatefulSet) o)
                .findFirst().orElseThrow();
    }

    private static List<Container> allContainers(String overlay) {
        List<Container> containers = new ArrayList<>(knativeService(overlay).getSpec().getTemplate().getSpec().getContainers());
        containers.addAll(statefulSet(overlay).getSpec().getTemplate().getSpec().getContainers());
        return containers;
    }

    /** Every scalar of every object as "Kind/name.path" → value, with the overlay's namespace neutralised. */
    private static Map<String, String> flatten(Path rendered, String namespace) throws IOException {
        Map<String, String> flat = new TreeMap<>();
        try (var parser = YAML.getFactory().createParser(rendered.toFile())) {
            for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
                flattenInto(doc.get("kind").asText() + "/" + doc.get("metadata").get("name").asText()
                        .replace(namespace, "NAMESPACE"), doc, flat, namespace);
            }
        }
        return flat;
    }

    private static void flattenInto(String path, JsonNode node, Map<String, String> flat, String namespace) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flattenInto(path + "." + e.getKey(), e.getValue(), flat, namespace));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flattenInto(path + "." + i, node.get(i), flat, namespace);
            }
        } else {
            flat.put(path.replaceFirst("^([^.]*)\\.", "$1."), node.asText().replace(namespace, "NAMESPACE"));
        }
    }
}
