package org.acme.greeting.support;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import org.acme.greeting.support.FileTrees;
import org.acme.greeting.support.Tool;

/** kustomize, as built into kubectl: renders a kustomization offline. */
public final class Kustomize {

    private Kustomize() {
    }

    public static String build(Path kustomization) {
        return Tool.succeed(kustomization, List.of("kubectl", "kustomize", "."));
    }

    /**
     * Renders a kustomization under knative/ with a component added as a user adds it: in that
     * kustomization's own file (components: [...]), so its namespace and other settings apply to
     * the component's objects too. Works on a copy of knative/ in target/&lt;name&gt;.
     */
    public static String buildWithComponent(String name, String kustomization, String component) throws IOException {
        Path copy = Path.of("target", name, "knative");
        FileTrees.delete(copy);
        FileTrees.copy(Path.of("knative"), copy);
        Path file = copy.resolve(kustomization).resolve("kustomization.yaml");
        String yaml = Files.readString(file);
        assertFalse(yaml.contains("components:"), file + " already lists components; add to that list instead");
        Files.writeString(file, yaml + "components:\n  - "
                + copy.resolve(kustomization).relativize(copy.resolve(component)) + "\n");
        return build(copy.resolve(kustomization));
    }

    /** The objects of a rendering (or any multi-document YAML), in order. */
    public static List<JsonNode> objects(String yaml) {
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            new YAMLMapper().readValues(parser, JsonNode.class).forEachRemaining(objects::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects;
    }
}
