package org.acme.greeting.tekton.release;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.acme.greeting.tekton.release.ApiServerStandIn.Kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What Knative Serving 1.20 does with a Service that our release scripts rely on, written from its
 * source (knative/serving at knative-v1.20.0), for the API server stand-in: no cluster can be had
 * here. A stand-in, not Knative: it reconciles a little after each write, as the controller does.
 * <ul>
 * <li>Webhook (pkg/apis/serving/v1): a revision name must start with "&lt;service&gt;-" and be a
 * DNS-1035 label; a template whose name is unchanged must be unchanged (VerifyNameChange); the
 * traffic must sum to 100, with unique DNS-1035 tags, and revisionName never with latestRevision.</li>
 * <li>Configuration (pkg/reconciler/configuration): the template makes a revision named by it, or
 * &lt;service&gt;-&lt;5-digit generation&gt;; an existing revision of that name is reused only with the
 * same spec, else ConfigurationsReady is False, "already exists" (CheckNameAvailability).
 * latestReadyRevisionName is the newest revision that became Ready, whether or not it serves.</li>
 * <li>Route (pkg/reconciler/route): status.traffic lists each target by revision name; while any
 * target is missing or not Ready, the route keeps its previous status.traffic (configureTraffic).
 * Each tag gets a placeholder Kubernetes Service &lt;tag&gt;-&lt;service&gt;, deleted with the tag; a
 * tag is cluster-local when that Service, or the Knative Service itself, carries
 * networking.knative.dev/visibility=cluster-local (route/visibility); then its URL is
 * http://&lt;tag&gt;-&lt;service&gt;.&lt;namespace&gt;.svc.cluster.local, else under the cluster's domain.</li>
 * </ul>
 * Whether a revision becomes Ready is the test's to say, by name or image.
 */
final class KnativeServingStandIn implements AutoCloseable {

    static final String DOMAIN = "example.com";
    static final String VISIBILITY = "networking.knative.dev/visibility";
    private static final Pattern DNS_1035 = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiServerStandIn api;
    private final ScheduledExecutorService controller = Executors.newSingleThreadScheduledExecutor();
    /** A revision's failure message, or null when it becomes Ready. */
    private volatile Function<JsonNode, String> revisionFailure = revision -> null;

    KnativeServingStandIn(ApiServerStandIn api) {
        this.api = api;
        api.admission(this::webhook);
        api.onWrite(write -> {
            if (write.resource().equals(ApiServerStandIn.KSVC.qualified()) && !write.verb().equals("status")
                    && !write.verb().equals("delete")) {
                schedule(write.object().path("metadata").path("namespace").asText(), write.name());
            } else if (write.resource().equals(ApiServerStandIn.SERVICE.qualified()) && write.verb().equals("patch")) {
                String route = write.object().path("metadata").path("labels").path("serving.knative.dev/route").asText("");
                if (!route.isEmpty()) {
                    schedule(write.object().path("metadata").path("namespace").asText(), route);
                }
            }
        });
    }

    /** Revisions for which the function returns a message fail with it; the others become Ready. */
    void failRevisionsWhere(Function<JsonNode, String> failure) {
        this.revisionFailure = failure;
    }

    @Override
    public void close() {
        controller.shutdownNow();
    }

    private void schedule(String namespace, String name) {
        controller.schedule(() -> reconcile(namespace, name), 60, TimeUnit.MILLISECONDS);
    }

    // ---- the admission webhook ----------------------------------------------------------------

    private String webhook(Kind kind, JsonNode old, JsonNode service) {
        if (!kind.equals(ApiServerStandIn.KSVC)) {
            return null;
        }
        String prefix = "admission webhook \"validation.webhook.serving.knative.dev\" denied the request: validation failed: ";
        String name = service.path("metadata").path("name").asText();
        String revision = service.path("spec").path("template").path("metadata").path("name").asText("");
        if (!revision.isEmpty() && (!revision.startsWith(name + "-") || !DNS_1035.matcher(revision).matches()
                || revision.length() > 63)) {
            return prefix + "invalid value: \"" + revision + "\" must have prefix \"" + name + "-\" and be a DNS-1035 label: spec.template.metadata.name";
        }
        if (old != null && !revision.isEmpty()
                && revision.equals(old.path("spec").path("template").path("metadata").path("name").asText())
                && !old.path("spec").path("template").equals(service.path("spec").path("template"))) {
            return prefix + "Saw the following changes without a name change (-old +new): spec.template.metadata.name";
        }
        JsonNode traffic = service.path("spec").path("traffic");
        if (traffic.isArray() && !traffic.isEmpty()) {
            long sum = 0;
            Set<String> tags = new HashSet<>();
            for (JsonNode target : traffic) {
                sum += target.path("percent").asLong(0);
                String tag = target.path("tag").asText("");
                if (!tag.isEmpty() && (!tags.add(tag) || !DNS_1035.matcher(tag).matches())) {
                    return prefix + "Multiple definitions for \"" + tag + "\" or not a DNS-1035 label: spec.traffic";
                }
                if (target.has("latestRevision") && target.path("latestRevision").asBoolean() == target.has("revisionName")) {
                    return prefix + "may not set revisionName when latestRevision is " + target.path("latestRevision") + ": spec.traffic";
                }
                if (!target.has("revisionName") && !target.path("latestRevision").asBoolean()) {
                    return prefix + "expected exactly one, got neither: spec.traffic.revisionName, spec.traffic.configurationName";
                }
            }
            if (sum != 100) {
                return prefix + "Traffic targets sum to " + sum + ", want 100: spec.traffic";
            }
        }
        return null;
    }

    // ---- the controller -----------------------------------------------------------------------

    private synchronized void reconcile(String namespace, String name) {
        ObjectNode service = api.get(ApiServerStandIn.KSVC, namespace, name);
        if (service == null) {
            return;
        }
        long generation = service.path("metadata").path("generation").asLong(1);
        JsonNode previous = service.path("status");
        ObjectNode status = JSON.createObjectNode();
        status.put("observedGeneration", generation);
        String latestReady = previous.path("latestReadyRevisionName").asText("");
        String latestCreated = previous.path("latestCreatedRevisionName").asText("");

        // Configuration: the template's revision.
        JsonNode template = service.path("spec").path("template");
        String revisionName = template.path("metadata").path("name").asText("");
        if (revisionName.isEmpty()) {
            revisionName = String.format("%s-%05d", name, generation);
        }
        ObjectNode existing = api.get(ApiServerStandIn.REVISION, namespace, revisionName);
        String configFailure = null;
        if (existing != null && !existing.path("spec").equals(template.path("spec"))) {
            configFailure = "Revision creation failed with message: revisions.serving.knative.dev \"" + revisionName
                    + "\" already exists";
        } else {
            if (existing == null) {
                existing = api.create(ApiServerStandIn.REVISION, revision(namespace, name, revisionName, template));
                String failure = revisionFailure.apply(existing);
                api.writeStatus(ApiServerStandIn.REVISION, namespace, revisionName, revisionStatus(failure));
                existing = api.get(ApiServerStandIn.REVISION, namespace, revisionName);
            }
            latestCreated = revisionName;
            if (ready(existing)) {
                latestReady = revisionName;
            } else {
                configFailure = "Revision \"" + revisionName + "\" failed with message: " + message(existing) + ".";
            }
        }
        status.put("latestCreatedRevisionName", latestCreated);
        if (!latestReady.isEmpty()) {
            status.put("latestReadyRevisionName", latestReady);
        }

        // Route: the traffic by revision name, or the previous traffic while a target is not routable.
        boolean serviceLocal = "cluster-local".equals(service.path("metadata").path("labels").path(VISIBILITY).asText());
        JsonNode spec = service.path("spec").path("traffic");
        List<JsonNode> targets = new ArrayList<>();
        if (spec.isArray() && !spec.isEmpty()) {
            spec.forEach(targets::add);
        } else {
            targets.add(JSON.createObjectNode().put("latestRevision", true).put("percent", 100));
        }
        String routeFailure = null;
        ArrayNode traffic = JSON.createArrayNode();
        Set<String> tags = new LinkedHashSet<>();
        for (JsonNode target : targets) {
            boolean latest = target.path("latestRevision").asBoolean(false);
            String revision = latest ? latestReady : target.path("revisionName").asText();
            ObjectNode found = revision.isEmpty() ? null : api.get(ApiServerStandIn.REVISION, namespace, revision);
            if (found == null) {
                routeFailure = "Revision \"" + revision + "\" referenced in traffic not found.";
                continue;
            }
            if (!ready(found)) {
                routeFailure = "Revision \"" + revision + "\" failed to become ready.";
                continue;
            }
            ObjectNode entry = JSON.createObjectNode();
            String tag = target.path("tag").asText("");
            if (!tag.isEmpty()) {
                entry.put("tag", tag);
                tags.add(tag);
            }
            entry.put("revisionName", revision).put("latestRevision", latest).put("percent", target.path("percent").asLong(0));
            traffic.add(entry);
        }
        Map<String, Boolean> tagLocal = new HashMap<>();
        if (routeFailure == null) {
            tagLocal = placeholderServices(namespace, name, tags);
            for (JsonNode entry : traffic) {
                String tag = entry.path("tag").asText("");
                if (!tag.isEmpty()) {
                    boolean local = serviceLocal || tagLocal.getOrDefault(tag, false);
                    ((ObjectNode) entry).put("url", "http://" + tag + "-" + name + "." + namespace + "."
                            + (local ? "svc.cluster.local" : DOMAIN));
                }
            }
            status.set("traffic", traffic);
        } else if (previous.has("traffic")) {
            status.set("traffic", previous.get("traffic").deepCopy());
        }
        status.put("url", "http://" + name + "." + namespace + "." + (serviceLocal ? "svc.cluster.local" : DOMAIN));
        status.putObject("address").put("url", "http://" + name + "." + namespace + ".svc.cluster.local");

        ArrayNode conditions = status.putArray("conditions");
        condition(conditions, "ConfigurationsReady", configFailure == null, "RevisionFailed", configFailure);
        condition(conditions, "Ready", configFailure == null && routeFailure == null,
                configFailure != null ? "RevisionFailed" : "RevisionMissing",
                configFailure != null ? configFailure : routeFailure);
        condition(conditions, "RoutesReady", routeFailure == null, "RevisionMissing", routeFailure);
        api.writeStatus(ApiServerStandIn.KSVC, namespace, name, status);
    }

    /** Creates the placeholder Service of each tag, deletes those of tags gone; says which are cluster-local. */
    private Map<String, Boolean> placeholderServices(String namespace, String route, Set<String> tags) {
        Map<String, Boolean> local = new HashMap<>();
        Set<String> wanted = new HashSet<>();
        for (String tag : tags) {
            String serviceName = tag + "-" + route;
            wanted.add(serviceName);
            ObjectNode placeholder = api.get(ApiServerStandIn.SERVICE, namespace, serviceName);
            if (placeholder == null) {
                ObjectNode created = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Service");
                ObjectNode metadata = created.putObject("metadata").put("name", serviceName).put("namespace", namespace);
                metadata.putObject("labels").put("serving.knative.dev/route", route);
                metadata.putArray("ownerReferences").addObject().put("apiVersion", "serving.knative.dev/v1")
                        .put("kind", "Route").put("name", route).put("controller", true);
                created.putObject("spec").put("type", "ExternalName")
                        .put("externalName", serviceName + "." + namespace + "." + DOMAIN);
                placeholder = api.create(ApiServerStandIn.SERVICE, created);
            }
            local.put(tag, "cluster-local".equals(placeholder.path("metadata").path("labels").path(VISIBILITY).asText()));
        }
        for (ObjectNode service : api.list(ApiServerStandIn.SERVICE, namespace)) {
            String serviceName = service.path("metadata").path("name").asText();
            if (route.equals(service.path("metadata").path("labels").path("serving.knative.dev/route").asText())
                    && !wanted.contains(serviceName)) {
                api.delete(ApiServerStandIn.SERVICE, namespace, serviceName);
            }
        }
        return local;
    }

    private static ObjectNode revision(String namespace, String service, String name, JsonNode template) {
        ObjectNode revision = JSON.createObjectNode().put("apiVersion", "serving.knative.dev/v1").put("kind", "Revision");
        ObjectNode metadata = revision.putObject("metadata").put("name", name).put("namespace", namespace);
        if (template.path("metadata").has("annotations")) {
            metadata.set("annotations", template.path("metadata").path("annotations").deepCopy());
        }
        ObjectNode labels = metadata.putObject("labels");
        template.path("metadata").path("labels").fields().forEachRemaining(e -> labels.set(e.getKey(), e.getValue()));
        labels.put("serving.knative.dev/service", service).put("serving.knative.dev/configuration", service);
        metadata.putArray("ownerReferences").addObject().put("apiVersion", "serving.knative.dev/v1")
                .put("kind", "Configuration").put("name", service).put("controller", true);
        revision.set("spec", template.path("spec").deepCopy());
        return revision;
    }

    private static ObjectNode revisionStatus(String failure) {
        ObjectNode status = JSON.createObjectNode().put("observedGeneration", 1);
        ArrayNode conditions = status.putArray("conditions");
        condition(conditions, "ConfigurationsReady", true, null, null);
        condition(conditions, "ContainerHealthy", failure == null, "ExitCode1", failure);
        condition(conditions, "Ready", failure == null, "ExitCode1", failure);
        condition(conditions, "ResourcesAvailable", true, null, null);
        return status;
    }

    private static boolean ready(JsonNode revision) {
        for (JsonNode condition : revision.path("status").path("conditions")) {
            if (condition.path("type").asText().equals("Ready")) {
                return condition.path("status").asText().equals("True");
            }
        }
        return false;
    }

    private static String message(JsonNode revision) {
        for (JsonNode condition : revision.path("status").path("conditions")) {
            if (condition.path("type").asText().equals("Ready")) {
                return condition.path("message").asText("");
            }
        }
        return "";
    }

    private static void condition(ArrayNode conditions, String type, boolean ok, String reason, String message) {
        ObjectNode condition = conditions.addObject().put("type", type).put("status", ok ? "True" : "False")
                .put("lastTransitionTime", Instant.now().toString().replaceFirst("\\.\\d+Z$", "Z"));
        if (!ok) {
            condition.put("reason", reason).put("message", message);
        }
    }
}
