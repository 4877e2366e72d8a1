package org.acme.greeting.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Parses YAML into fabric8's typed Kubernetes and Knative models. The models keep fields they
 * do not know in "additional properties"; any such field is a misspelling or a field of another
 * API version, so it fails the parse.
 */
public final class TypedModels {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private TypedModels() {
    }

    public static List<HasMetadata> parse(String yaml, String source) {
        return parse(yaml, source, Set.of());
    }

    /**
     * As {@link #parse(String, String)}, accepting the fields whose path contains one of
     * allowedUnknown (such as "TaskRef.resolver"): fields the API has but the model version here
     * lacks, or objects embedded untyped that the caller checks on its own.
     */
    public static List<HasMetadata> parse(String yaml, String source, Set<String> allowedUnknown) {
        Object parsed = SERIALIZATION.unmarshal(yaml);
        List<HasMetadata> objects = new ArrayList<>();
        if (parsed instanceof Collection<?> many) {
            many.forEach(o -> objects.add((HasMetadata) o));
        } else if (parsed != null) {
            objects.add((HasMetadata) parsed);
        }
        for (HasMetadata object : objects) {
            List<String> unknown = new ArrayList<>();
            collectUnknownFields(object, object.getKind(), unknown);
            unknown.removeIf(path -> allowedUnknown.stream().anyMatch(path::contains));
            assertEquals(List.of(), unknown, source + ": " + object.getKind() + "/"
                    + object.getMetadata().getName() + " has fields its typed model does not know");
        }
        return objects;
    }

    private static void collectUnknownFields(Object node, String path, List<String> unknown) {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (!node.getClass().getPackageName().startsWith("io.fabric8")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
            } else if (!(value instanceof Map<?, ?>)) {
                collectUnknownFields(value, path + "." + getter.getName().substring(3), unknown);
            }
        }
    }
}
