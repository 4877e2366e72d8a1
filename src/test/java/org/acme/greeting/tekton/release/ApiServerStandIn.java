package org.acme.greeting.tekton.release;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for the Kubernetes API server, for the real kubectl to talk to: no cluster can be had
 * here. It serves what our release scripts use, with the API server's own rules for them
 * (k8s.io/apiserver, API conventions "Concurrency Control and Consistency"):
 * <ul>
 * <li>legacy discovery of the core group, serving.knative.dev/v1 and coordination.k8s.io/v1, so
 * kubectl maps ksvc, revision, service and lease as on a cluster, and an OpenAPI v3 index that
 * says each kind takes the fieldValidation parameter, so kubectl leaves validation to the server,
 * as it does with a real one (k8s.io/cli-runtime, query_param_verifier_v3.go);</li>
 * <li>create fails with 409 AlreadyExists when the name is taken, so of two creators one wins;</li>
 * <li>replace (PUT) fails with 409 Conflict unless it carries the stored resourceVersion, and every
 * write, the controller's status writes included, changes the resourceVersion;</li>
 * <li>for resources with a status subresource (Knative's), a PUT keeps the stored status and
 * metadata.generation counts changes of the spec;</li>
 * <li>merge patches (what kubectl label sends) and deletes; errors are Status objects, so kubectl
 * prints "Error from server (NotFound)" and the like.</li>
 * </ul>
 * Admission webhooks and controllers plug in through {@link #onWrite} and {@link #admission}, an
 * authorizer (RBAC) through {@link #authorize}.
 */
final class ApiServerStandIn implements AutoCloseable {

    /** One kind the stand-in serves. */
    record Kind(String group, String version, String resource, String kind, List<String> shortNames,
            boolean statusSubresource) {
        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        String qualified() {
            return group.isEmpty() ? resource : resource + "." + group;
        }
    }

    /** A write the API server accepted: its verb, kind, name and the object stored. */
    record Write(String verb, String resource, String name, JsonNode object) {
    }

    /** The authorizer: returns why a request is forbidden, or null to allow it. */
    interface Authorizer {
        String denied(String method, boolean watch, Kind kind, String namespace, String name);
    }

    /** An admission check: returns an error message to deny the write, or null to allow it. */
    interface Admission {
        String review(Kind kind, JsonNode old, JsonNode updated);
    }

    static final Kind SERVICE = new Kind("", "v1", "services", "Service", List.of("svc"), true);
    static final Kind KSVC = new Kind("serving.knative.dev", "v1", "services", "Service", List.of("kservice", "ksvc"), true);
    static final Kind REVISION = new Kind("serving.knative.dev", "v1", "revisions", "Revision", List.of("rev"), true);
    static final Kind LEASE = new Kind("coordination.k8s.io", "v1", "leases", "Lease", List.of(), false);
    static final Kind CONFIGMAP = new Kind("", "v1", "configmaps", "ConfigMap", List.of("cm"), false);
    private static final List<Kind> KINDS = List.of(SERVICE, CONFIGMAP, KSVC, REVISION, LEASE);
    private static final Pattern ITEM = Pattern.compile(
            "^/(?:api/v1|apis/([^/]+)/([^/]+))/namespaces/([^/]+)/([^/]+)(?:/([^/]+))?/?$");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, ObjectNode> objects = new LinkedHashMap<>();
    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private final List<Consumer<Write>> listeners = new CopyOnWriteArrayList<>();
    private final List<Admission> admissions = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private volatile Authorizer authorizer = (method, watch, kind, namespace, name) -> null;

    private record Fault(String method, Kind kind, String message, AtomicInteger left) {
    }
    private long resourceVersion = 1000;

    ApiServerStandIn() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A kubeconfig for kubectl, pointing at this server. */
    Path writeKubeconfig(Path file) throws IOException {
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: stand-in
                    cluster:
                      server: %s
                contexts:
                  - name: stand-in
                    context:
                      cluster: stand-in
                      user: pipeline
                current-context: stand-in
                users:
                  - name: pipeline
                    user: {}
                """.formatted(url()));
        return file;
    }

    void onWrite(Consumer<Write> listener) {
        listeners.add(listener);
    }

    void admission(Admission admission) {
        admissions.add(admission);
    }

    /** Every request of kubectl is authorized by this from now on (discovery stays open to all, as on a cluster). */
    void authorize(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    /**
     * The next times requests with this HTTP method for this kind fail with a 500 carrying message,
     * as the API server answers when an admission webhook cannot be called or etcd times out.
     */
    void failNext(String method, Kind kind, int times, String message) {
        faults.add(new Fault(method, kind, message, new AtomicInteger(times)));
    }

    /** Every write accepted so far, in order. */
    List<Write> writes() {
        return List.copyOf(writes);
    }

    synchronized ObjectNode get(Kind kind, String namespace, String name) {
        ObjectNode object = objects.get(key(kind, namespace, name));
        return object == null ? null : object.deepCopy();
    }

    synchronized List<ObjectNode> list(Kind kind, String namespace) {
        List<ObjectNode> found = new ArrayList<>();
        String prefix = key(kind, namespace, "");
        objects.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                found.add(v.deepCopy());
            }
        });
        return found;
    }

    /** Stores an object as given (its status included), as a recorded state to start from. */
    synchronized void load(Kind kind, ObjectNode object) {
        ObjectNode metadata = (ObjectNode) object.path("metadata");
        metadata.put("resourceVersion", String.valueOf(++resourceVersion));
        if (!metadata.has("uid")) {
            metadata.put("uid", UUID.randomUUID().toString());
        }
        objects.put(key(kind, metadata.path("namespace").asText(), metadata.path("name").asText()), object.deepCopy());
    }

    /** Creates an object as a controller would: no admission, but a write like any other. */
    ObjectNode create(Kind kind, ObjectNode object) {
        Response response = create(kind, object.path("metadata").path("namespace").asText(), object, false);
        if (response.status != 201) {
            throw new IllegalStateException("create " + kind.qualified() + " failed: " + response.body);
        }
        notifyWrite(new Write("create", kind.qualified(), object.path("metadata").path("name").asText(), response.body));
        return (ObjectNode) response.body;
    }

    /** Writes an object's status, as a controller does through the status subresource. */
    void writeStatus(Kind kind, String namespace, String name, JsonNode status) {
        JsonNode stored;
        synchronized (this) {
            ObjectNode object = objects.get(key(kind, namespace, name));
            if (object == null) {
                return;
            }
            object.set("status", status.deepCopy());
            ((ObjectNode) object.get("metadata")).put("resourceVersion", String.valueOf(++resourceVersion));
            stored = object.deepCopy();
        }
        notifyWrite(new Write("status", kind.qualified(), name, stored));
    }

    /** Deletes an object as a controller would. */
    void delete(Kind kind, String namespace, String name) {
        JsonNode removed;
        synchronized (this) {
            removed = objects.remove(key(kind, namespace, name));
        }
        if (removed != null) {
            notifyWrite(new Write("delete", kind.qualified(), name, removed));
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---- HTTP ---------------------------------------------------------------------------------

    private record Response(int status, JsonNode body) {
    }

    private void handle(HttpExchange exchange) throws IOException {
        Response response;
        Write write = null;
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            byte[] body = readAll(exchange.getRequestBody());
            response = discovery(path);
            if (response == null) {
                Matcher m = ITEM.matcher(path);
                Kind kind = m.matches() ? kind(m.group(1), m.group(2), m.group(4)) : null;
                if (kind == null) {
                    response = status(404, "NotFound", "the server could not find the requested resource", null, null);
                } else {
                    String namespace = m.group(3);
                    String name = m.group(5);
                    JsonNode sent = body.length == 0 ? null : JSON.readTree(body);
                    Fault fault = faults.stream().filter(f -> f.method().equals(method) && f.kind().equals(kind)
                            && f.left().getAndUpdate(n -> Math.max(0, n - 1)) > 0).findFirst().orElse(null);
                    String query = exchange.getRequestURI().getQuery();
                    String forbidden = authorizer.denied(method, query != null && query.contains("watch=true"), kind, namespace, name);
                    response = forbidden != null ? status(403, "Forbidden", forbidden, kind, name)
                            : fault != null ? status(500, "InternalError", fault.message(), null, null) : switch (method) {
                        case "GET" -> name == null ? listResponse(kind, namespace) : read(kind, namespace, name);
                        case "POST" -> create(kind, namespace, (ObjectNode) sent, true);
                        case "PUT" -> replace(kind, namespace, name, (ObjectNode) sent);
                        case "PATCH" -> patch(kind, namespace, name, sent);
                        case "DELETE" -> remove(kind, namespace, name);
                        default -> status(405, "MethodNotAllowed", method + " is not supported", null, null);
                    };
                    if (response.status < 300 && !method.equals("GET") && !exchange.getRequestURI().toString().contains("dryRun")) {
                        write = new Write(switch (method) {
                            case "POST" -> "create";
                            case "PUT" -> "replace";
                            case "PATCH" -> "patch";
                            default -> "delete";
                        }, kind.qualified(), response.body.path("metadata").path("name").asText(name), response.body);
                    }
                }
            }
        } catch (RuntimeException | IOException e) {
            response = status(500, "InternalError", e.toString(), null, null);
        }
        byte[] out = JSON.writeValueAsBytes(response.body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(response.status, out.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(out);
        }
        if (write != null) {
            notifyWrite(write);
        }
    }

    private void notifyWrite(Write write) {
        writes.add(write);
        listeners.forEach(listener -> listener.accept(write));
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    /** Legacy discovery, as an API server without aggregated discovery answers it. */
    private Response discovery(String path) {
        ObjectNode body = JSON.createObjectNode();
        switch (path) {
            case "/version" -> {
                body.put("major", "1").put("minor", "33").put("gitVersion", "v1.33.0");
                return new Response(200, body);
            }
            case "/api" -> {
                body.put("kind", "APIVersions");
                body.putArray("versions").add("v1");
                body.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
                        .put("serverAddress", "127.0.0.1");
                return new Response(200, body);
            }
            case "/apis" -> {
                body.put("kind", "APIGroupList").put("apiVersion", "v1");
                ArrayNode groups = body.putArray("groups");
                for (Kind kind : KINDS) {
                    if (!kind.group().isEmpty() && groups.findValuesAsText("name").stream().noneMatch(kind.group()::equals)) {
                        ObjectNode group = groups.addObject().put("name", kind.group());
                        ObjectNode version = JSON.createObjectNode().put("groupVersion", kind.groupVersion())
                                .put("version", kind.version());
                        group.putArray("versions").add(version);
                        group.set("preferredVersion", version.deepCopy());
                    }
                }
                return new Response(200, body);
            }
            case "/openapi/v3" -> {
                ObjectNode paths = body.putObject("paths");
                for (Kind kind : KINDS) {
                    String gv = (kind.group().isEmpty() ? "api/" : "apis/") + kind.groupVersion();
                    paths.putObject(gv).put("serverRelativeURL", "/openapi/v3/" + gv + "?hash=1");
                }
                return new Response(200, body);
            }
            default -> {
                if (path.startsWith("/openapi/v3/")) {
                    return openApiDocument(path.substring("/openapi/v3/".length()));
                }
                for (Kind candidate : KINDS) {
                    String prefix = candidate.group().isEmpty() ? "/api/" : "/apis/";
                    if (path.equals(prefix + candidate.groupVersion())) {
                        body.put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", candidate.groupVersion());
                        ArrayNode resources = body.putArray("resources");
                        for (Kind kind : KINDS) {
                            if (kind.groupVersion().equals(candidate.groupVersion())) {
                                ObjectNode resource = resources.addObject().put("name", kind.resource())
                                        .put("singularName", kind.kind().toLowerCase()).put("namespaced", true)
                                        .put("kind", kind.kind());
                                ArrayNode verbs = resource.putArray("verbs");
                                List.of("create", "delete", "get", "list", "patch", "update", "watch").forEach(verbs::add);
                                ArrayNode shortNames = resource.putArray("shortNames");
                                kind.shortNames().forEach(shortNames::add);
                                if (kind.statusSubresource()) {
                                    resources.addObject().put("name", kind.resource() + "/status").put("namespaced", true)
                                            .put("kind", kind.kind()).putArray("verbs").add("get").add("patch").add("update");
                                }
                            }
                        }
                        return new Response(200, body);
                    }
                }
                return null;
            }
        }
    }

    /** An OpenAPI v3 document for a group version: for each kind, a PATCH that takes fieldValidation. */
    private static Response openApiDocument(String groupVersionPath) {
        ObjectNode doc = JSON.createObjectNode().put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", "v1.33.0");
        ObjectNode paths = doc.putObject("paths");
        for (Kind kind : KINDS) {
            String gv = (kind.group().isEmpty() ? "api/" : "apis/") + kind.groupVersion();
            if (gv.equals(groupVersionPath)) {
                ObjectNode patch = paths.putObject("/" + gv + "/namespaces/{namespace}/" + kind.resource() + "/{name}")
                        .putObject("patch");
                patch.putObject("x-kubernetes-group-version-kind").put("group", kind.group()).put("version", kind.version())
                        .put("kind", kind.kind());
                patch.putArray("parameters").addObject().put("name", "fieldValidation").put("in", "query")
                        .putObject("schema").put("type", "string");
            }
        }
        return new Response(200, doc);
    }

    private static Kind kind(String group, String version, String resource) {
        String g = group == null ? "" : group;
        String v = version == null ? "v1" : version;
        return KINDS.stream().filter(k -> k.group().equals(g) && k.version().equals(v) && k.resource().equals(resource))
                .findFirst().orElse(null);
    }

    private synchronized Response read(Kind kind, String namespace, String name) {
        ObjectNode object = objects.get(key(kind, namespace, name));
        return object == null ? notFound(kind, name) : new Response(200, object.deepCopy());
    }

    private synchronized Response listResponse(Kind kind, String namespace) {
        ObjectNode list = JSON.createObjectNode().put("kind", kind.kind() + "List").put("apiVersion", kind.groupVersion());
        list.putObject("metadata").put("resourceVersion", String.valueOf(resourceVersion));
        ArrayNode items = list.putArray("items");
        list(kind, namespace).forEach(items::add);
        return new Response(200, list);
    }

    private synchronized Response create(Kind kind, String namespace, ObjectNode sent, boolean admit) {
        ObjectNode object = sent.deepCopy();
        ObjectNode metadata = object.with("metadata");
        String name = metadata.path("name").asText();
        if (objects.containsKey(key(kind, namespace, name))) {
            return status(409, "AlreadyExists", kind.qualified() + " \"" + name + "\" already exists", kind, name);
        }
        if (admit) {
            String denied = admit(kind, null, object);
            if (denied != null) {
                return denied(denied);
            }
        }
        metadata.put("namespace", namespace);
        metadata.put("uid", UUID.randomUUID().toString());
        metadata.put("creationTimestamp", Instant.now().toString().replaceFirst("\\.\\d+Z$", "Z"));
        metadata.put("resourceVersion", String.valueOf(++resourceVersion));
        if (kind.statusSubresource()) {
            metadata.put("generation", 1);
            object.remove("status");
        }
        objects.put(key(kind, namespace, name), object);
        return new Response(201, object.deepCopy());
    }

    private synchronized Response replace(Kind kind, String namespace, String name, ObjectNode sent) {
        ObjectNode stored = objects.get(key(kind, namespace, name));
        if (stored == null) {
            return notFound(kind, name);
        }
        String sentVersion = sent.path("metadata").path("resourceVersion").asText("");
        if (!sentVersion.isEmpty() && !sentVersion.equals(stored.path("metadata").path("resourceVersion").asText())) {
            return status(409, "Conflict", "Operation cannot be fulfilled on " + kind.qualified() + " \"" + name
                    + "\": the object has been modified; please apply your changes to the latest version and try again",
                    kind, name);
        }
        ObjectNode object = sent.deepCopy();
        for (String kept : List.of("uid", "creationTimestamp", "namespace")) {
            object.with("metadata").set(kept, stored.path("metadata").get(kept));
        }
        if (kind.statusSubresource()) {
            if (stored.has("status")) {
                object.set("status", stored.get("status").deepCopy());
            } else {
                object.remove("status");
            }
        }
        return update(kind, namespace, name, stored, object);
    }

    /** A JSON merge patch (RFC 7386); kubectl label sends a strategic one, which for labels is the same. */
    private synchronized Response patch(Kind kind, String namespace, String name, JsonNode patch) {
        ObjectNode stored = objects.get(key(kind, namespace, name));
        if (stored == null) {
            return notFound(kind, name);
        }
        ObjectNode object = stored.deepCopy();
        merge(object, patch);
        return update(kind, namespace, name, stored, object);
    }

    /**
     * Stores object in place of stored, as the API server ends a replace or a patch: admission,
     * then the generation raised when the spec changed, and a new resourceVersion.
     */
    private Response update(Kind kind, String namespace, String name, ObjectNode stored, ObjectNode object) {
        String denied = admit(kind, stored, object);
        if (denied != null) {
            return denied(denied);
        }
        ObjectNode metadata = object.with("metadata");
        if (kind.statusSubresource()) {
            long generation = stored.path("metadata").path("generation").asLong(1);
            metadata.put("generation", stored.path("spec").equals(object.path("spec")) ? generation : generation + 1);
        }
        metadata.put("resourceVersion", String.valueOf(++resourceVersion));
        objects.put(key(kind, namespace, name), object);
        return new Response(200, object.deepCopy());
    }

    private synchronized Response remove(Kind kind, String namespace, String name) {
        ObjectNode removed = objects.remove(key(kind, namespace, name));
        return removed == null ? notFound(kind, name) : new Response(200, removed);
    }

    private String admit(Kind kind, JsonNode old, JsonNode updated) {
        for (Admission admission : admissions) {
            String denied = admission.review(kind, old, updated);
            if (denied != null) {
                return denied;
            }
        }
        return null;
    }

    private static void merge(ObjectNode target, JsonNode patch) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                target.remove(field.getKey());
            } else if (field.getValue().isObject() && target.path(field.getKey()).isObject()) {
                merge((ObjectNode) target.get(field.getKey()), field.getValue());
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }

    private static Response notFound(Kind kind, String name) {
        return status(404, "NotFound", kind.qualified() + " \"" + name + "\" not found", kind, name);
    }

    private static Response denied(String message) {
        return status(400, "BadRequest", message, null, null);
    }

    private static Response status(int code, String reason, String message, Kind kind, String name) {
        ObjectNode status = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
        if (kind != null) {
            status.putObject("details").put("name", name).put("group", kind.group()).put("kind", kind.resource());
        }
        return new Response(code, status);
    }

    private static String key(Kind kind, String namespace, String name) {
        return kind.qualified() + "|" + namespace + "|" + name;
    }
}
