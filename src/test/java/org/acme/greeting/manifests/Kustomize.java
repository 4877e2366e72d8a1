package org.acme.greeting.manifests;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.acme.greeting.support.Tool;

/** kustomize, as built into kubectl: renders a kustomization offline. */
final class Kustomize {

    private Kustomize() {
    }

    static String build(Path kustomization) {
        return Tool.succeed(kustomization, List.of("kubectl", "kustomize", "."));
    }

    /**
     * Renders a kustomization under knative/ with a component added as a user adds it: in that
     * kustomization's own file (components: [...]), so its namespace and other settings apply to
     * the component's objects too. Works on a copy of knative/ in target/&lt;name&gt;.
     */
    static String buildWithComponent(String name, String kustomization, String component) throws IOException {
        Path source = Path.of("knative");
        Path copy = Path.of("target", name, "knative");
        if (Files.exists(copy)) {
            try (Stream<Path> old = Files.walk(copy)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                Path target = copy.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Path file = copy.resolve(kustomization).resolve("kustomization.yaml");
        String yaml = Files.readString(file);
        assertFalse(yaml.contains("components:"), file + " already lists components; add to that list instead");
        Files.writeString(file, yaml + "components:\n  - "
                + copy.resolve(kustomization).relativize(copy.resolve(component)) + "\n");
        return build(copy.resolve(kustomization));
    }
}
