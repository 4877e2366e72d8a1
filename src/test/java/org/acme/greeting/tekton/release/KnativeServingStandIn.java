package org.acme.greeting.tekton.release;

import java.time.Duration;
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
 * Each tag gets a placeholder Kubernetes Service named by config-network's tag-template
 * (knative-serving namespace; default {{.Tag}}-{{.Name}}: domains.HostnameFromTemplate), deleted
 * with the tag; a tag is cluster-local when that Service, or the Knative Service itself, carries
 * networking.knative.dev/visibility=cluster-local (route/visibility); then its URL is
 * http://&lt;placeholder&gt;.&lt;namespace&gt;.svc.&lt;cluster domain&gt; ({@link #clusterDomain}, default
 * cluster.local: network.GetServiceHostname), else under the public domain. status.address.url is
 * the Service's own cluster-local address.</li>
 * <li>Certificates (route.go, externalDomainTLS): with external-domain-tls on and a certificate
 * still being issued ({@link #certificatesPending}), a public route's RoutesReady and Ready are
 * Unknown with reason CertificateNotReady (MarkCertificateNotReady) once its ingress is
 * programmed; cluster-local hosts get none.</li>
 * <li>Ingress (route.go, ReconcileKind): configureTraffic writes status.traffic, then
 * reconcileIngress programs the gateway, whose readiness reaches the Route only as its IngressReady
 * condition (PropagateIngressStatus), and the Service as RoutesReady (PropagateRouteStatus). So a
 * new status.traffic first comes with RoutesReady and Ready Unknown (IngressNotConfigured), and
 * the gateway goes on routing what it routed before until, after {@link #ingressTakes}, it routes
 * the new traffic and both turn True. {@link #routedByGateway} says what it routes now.</li>
 * <li>Deleting a Service deletes its revisions (owned through its Configuration, collected by
 * Kubernetes' garbage collector).</li>
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
    /** What the gateway routes, per Service (namespace/name): the status.traffic it last programmed. */
    private final Map<String, JsonNode> programmed = new HashMap<>();
    private volatile long ingressMillis = 200;
    private volatile String clusterDomain = "cluster.local";
    private volatile boolean certificatesPending;

    KnativeServingStandIn(ApiServerStandIn api) {
        this.api = api;
        api.admission(this::webhook);
        api.onWrite(write -> {
            if (write.resource().equals(ApiServerStandIn.KSVC.qualified()) && !write.verb().equals("status")
                    && !write.verb().equals("delete")) {
                schedule(write.object().path("metadata").path("namespace").asText(), write.name());
            } else if (write.resource().equals(ApiServerStandIn.KSVC.qualified()) && write.verb().equals("delete")) {
                collectRevisionsOf(write.object().path("metadata").path("namespace").asText(), write.name());
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

    /** The cluster's DNS domain, as the kubelet's resolv.conf gives it to Knative's controller. */
    void clusterDomain(String domain) {
        this.clusterDomain = domain;
    }

    /** Certificates for public hosts are ordered but not issued yet (external-domain-tls, ACME pending). */
    void certificatesPending(boolean pending) {
        this.certificatesPending = pending;
    }

    /** How long the gateway takes to route a new status.traffic (200 ms unless set). */
    void ingressTakes(Duration lag) {
        this.ingressMillis = lag.toMillis();
    }

    /** The revision the gateway sends a tag's requests to now, or null when it has no route for that tag. */
    synchronized String routedByGateway(String namespace, String service, String tag) {
        for (JsonNode target : programmed.getOrDefault(namespace + "/" + service, JSON.createArrayNode())) {
            if (tag.equals(target.path("tag").asText())) {
                return target.path("revisionName").asText();
            }
        }
        return null;
    }

    @Override
    public void close() {
        controller.shutdownNow();
    }

    private void schedule(String namespace, String name) {
        controller.schedule(() -> reconcile(namespace, name), 60, TimeUnit.MILLISECONDS);
    }

    /**
     * A deleted Service's revisions go with it: they are owned by its Configuration, which it owns,
     * and Kubernetes' garbage collector deletes owned objects in the background (the default
     * propagation of a delete). Here at once, after the delete.
     */
    private void collectRevisionsOf(String namespace, String service) {
        for (ObjectNode revision : api.list(ApiServerStandIn.REVISION, namespace)) {
            if (revision.path("metadata").path("labels").path("serving.knative.dev/service").asText().equals(service)) {
                api.delete(ApiServerStandIn.REVISION, namespace, revision.path("metadata").path("name").asText());
            }
        }
        synchronized (this) {
            programmed.remove(namespace + "/" + service);
        }
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
        String local = "svc." + clusterDomain;
        boolean publicHost = !serviceLocal;
        if (routeFailure == null) {
            tagLocal = placeholderServices(namespace, name, tags);
            for (JsonNode entry : traffic) {
                String tag = entry.path("tag").asText("");
                if (!tag.isEmpty()) {
                    boolean tagIsLocal = serviceLocal || tagLocal.getOrDefault(tag, false);
                    publicHost |= !tagIsLocal;
                    ((ObjectNode) entry).put("url", "http://" + placeholderName(tag, name) + "." + namespace + "."
                            + (tagIsLocal ? local : DOMAIN));
                }
            }
            status.set("traffic", traffic);
        } else if (previous.has("traffic")) {
            status.set("traffic", previous.get("traffic").deepCopy());
        }
        status.put("url", "http://" + name + "." + namespace + "." + (serviceLocal ? local : DOMAIN));
        status.putObject("address").put("url", "http://" + name + "." + namespace + "." + local);

        // The gateway is programmed after status.traffic is written; until then the route is not ready.
        JsonNode routed = status.path("traffic");
        boolean programming = routeFailure == null && !routed.equals(programmed.get(namespace + "/" + name));
        if (programming) {
            JsonNode toProgram = routed.deepCopy();
            controller.schedule(() -> programIngress(namespace, name, generation, toProgram), ingressMillis, TimeUnit.MILLISECONDS);
        }

        ArrayNode conditions = status.putArray("conditions");
        condition(conditions, "ConfigurationsReady", configFailure == null, "RevisionFailed", configFailure);
        if (programming && configFailure == null) {
            unknown(conditions, "Ready", "IngressNotConfigured", "Ingress has not yet been reconciled.");
            unknown(conditions, "RoutesReady", "IngressNotConfigured", "Ingress has not yet been reconciled.");
        } else {
            condition(conditions, "Ready", configFailure == null && routeFailure == null,
                    configFailure != null ? "RevisionFailed" : "RevisionMissing",
                    configFailure != null ? configFailure : routeFailure);
            if (programming) {
                unknown(conditions, "RoutesReady", "IngressNotConfigured", "Ingress has not yet been reconciled.");
            } else {
                condition(conditions, "RoutesReady", routeFailure == null, "RevisionMissing", routeFailure);
            }
        }
        if (!programming && routeFailure == null && certificatesPending && publicHost) {
            String message = "Certificate route-" + name + " is not ready: Pending";
            conditions.removeAll();
            condition(conditions, "ConfigurationsReady", configFailure == null, "RevisionFailed", configFailure);
            unknown(conditions, "Ready", "CertificateNotReady", message);
            unknown(conditions, "RoutesReady", "CertificateNotReady", message);
        }
        api.writeStatus(ApiServerStandIn.KSVC, namespace, name, status);
    }

    /** The gateway now routes that traffic, if the Service is still at that generation; the route reconciles again. */
    private synchronized void programIngress(String namespace, String name, long generation, JsonNode traffic) {
        ObjectNode service = api.get(ApiServerStandIn.KSVC, namespace, name);
        if (service != null && service.path("status").path("observedGeneration").asLong() == generation
                && service.path("status").path("traffic").equals(traffic)) {
            programmed.put(namespace + "/" + name, traffic);
            reconcile(namespace, name);
        }
    }

    /** config-network's tag-template applied to the tag and the route's name. */
    private String placeholderName(String tag, String route) {
        ObjectNode network = api.get(ApiServerStandIn.CONFIGMAP, "knative-serving", "config-network");
        String template = network == null ? "{{.Tag}}-{{.Name}}" : network.path("data").path("tag-template").asText("{{.Tag}}-{{.Name}}");
        return template.replace("{{.Tag}}", tag).replace("{{.Name}}", route);
    }

    /** Creates the placeholder Service of each tag, deletes those of tags gone; says which are cluster-local. */
    private Map<String, Boolean> placeholderServices(String namespace, String route, Set<String> tags) {
        Map<String, Boolean> local = new HashMap<>();
        Set<String> wanted = new HashSet<>();
        for (String tag : tags) {
            String serviceName = placeholderName(tag, route);
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

    private static void unknown(ArrayNode conditions, String type, String reason, String message) {
        conditions.addObject().put("type", type).put("status", "Unknown")
                .put("lastTransitionTime", Instant.now().toString().replaceFirst("\\.\\d+Z$", "Z"))
                .put("reason", reason).put("message", message);
    }

    private static void condition(ArrayNode conditions, String type, boolean ok, String reason, String message) {
        ObjectNode condition = conditions.addObject().put("type", type).put("status", ok ? "True" : "False")
                .put("lastTransitionTime", Instant.now().toString().replaceFirst("\\.\\d+Z$", "Z"));
        if (!ok) {
            condition.put("reason", reason).put("message", message);
        }
    }
}
