package org.acme.greeting.tekton.release;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.acme.greeting.tekton.release.ApiServerStandIn.Kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The API server's RBAC decision for one ServiceAccount, from the Roles, ClusterRoles and their
 * bindings in a file (tekton/rbac.yaml), as k8s.io/apiserver's RBAC authorizer makes it
 * (plugin/pkg/auth/authorizer/rbac: RuleAllows): a request is allowed when a rule of a role bound
 * to the account in the request's namespace (a RoleBinding there) or cluster-wide (a
 * ClusterRoleBinding) matches its verb, API group and resource, and, when the rule lists
 * resourceNames, its name; a request with no name (create, list) never matches such a rule.
 * The verb comes from the HTTP method as the API server's request info resolver gives it.
 */
final class RbacAuthorizer implements ApiServerStandIn.Authorizer {

    private final List<JsonNode> objects;
    private final String namespace;
    private final String account;

    private RbacAuthorizer(List<JsonNode> objects, String namespace, String account) {
        this.objects = objects;
        this.namespace = namespace;
        this.account = account;
    }

    /** The ServiceAccount namespace/account, with the RBAC objects of file, each passed through edit first. */
    static RbacAuthorizer of(Path file, String namespace, String account, UnaryOperator<ObjectNode> edit) {
        YAMLMapper yaml = new YAMLMapper();
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = yaml.getFactory().createParser(file.toFile())) {
            for (JsonNode object : yaml.readValues(parser, JsonNode.class).readAll()) {
                if (object != null && object.isObject()) {
                    objects.add(edit.apply((ObjectNode) object));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RbacAuthorizer(objects, namespace, account);
    }

    @Override
    public String denied(String method, boolean watch, Kind kind, String requestNamespace, String name) {
        String verb = switch (method) {
            case "GET" -> name == null ? (watch ? "watch" : "list") : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> method.toLowerCase();
        };
        for (JsonNode binding : objects) {
            String bindingKind = binding.path("kind").asText();
            boolean applies = bindingKind.equals("ClusterRoleBinding") || (bindingKind.equals("RoleBinding")
                    && binding.path("metadata").path("namespace").asText().equals(requestNamespace));
            if (!applies || !bindsAccount(binding)) {
                continue;
            }
            JsonNode role = role(binding.path("roleRef").path("kind").asText(), binding.path("roleRef").path("name").asText(),
                    binding.path("metadata").path("namespace").asText());
            if (role == null) {
                continue;
            }
            for (JsonNode rule : role.path("rules")) {
                if (matches(rule.path("verbs"), verb) && matches(rule.path("apiGroups"), kind.group())
                        && matches(rule.path("resources"), kind.resource())
                        && (rule.path("resourceNames").isEmpty() || (name != null && matches(rule.path("resourceNames"), name)))) {
                    return null;
                }
            }
        }
        return kind.resource() + (name == null ? "" : " \"" + name + "\"") + " is forbidden: User \"system:serviceaccount:"
                + namespace + ":" + account + "\" cannot " + verb + " resource \"" + kind.resource() + "\" in API group \""
                + kind.group() + "\" in the namespace \"" + requestNamespace + "\"";
    }

    private boolean bindsAccount(JsonNode binding) {
        for (JsonNode subject : binding.path("subjects")) {
            if (subject.path("kind").asText().equals("ServiceAccount") && subject.path("name").asText().equals(account)
                    && subject.path("namespace").asText().equals(namespace)) {
                return true;
            }
        }
        return false;
    }

    private JsonNode role(String kind, String name, String bindingNamespace) {
        for (JsonNode object : objects) {
            if (object.path("kind").asText().equals(kind) && object.path("metadata").path("name").asText().equals(name)
                    && (kind.equals("ClusterRole") || object.path("metadata").path("namespace").asText().equals(bindingNamespace))) {
                return object;
            }
        }
        return null;
    }

    private static boolean matches(JsonNode values, String value) {
        for (JsonNode v : values) {
            if (v.asText().equals("*") || v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }
}
