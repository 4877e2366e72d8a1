package org.acme.greeting.manifests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.acme.greeting.support.Tool;

/** kustomize, as built into kubectl: renders a kustomization offline. */
final class Kustomize {

    private Kustomize() {
    }

    static String build(Path kustomization) {
        return Tool.succeed(kustomization, List.of("kubectl", "kustomize", "."));
    }

    /**
     * Renders a kustomization under knative/ with a component added, as a user adds it to theirs
     * (components: [...]): both given relative to knative/, the work done in target/&lt;name&gt;.
     */
    static String buildWithComponent(String name, String kustomization, String component) throws IOException {
        Path overlay = Files.createDirectories(Path.of("target", name));
        Files.writeString(overlay.resolve("kustomization.yaml"), String.join("\n",
                "apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization",
                "resources:", "  - ../../knative/" + kustomization,
                "components:", "  - ../../knative/" + component, ""));
        return build(overlay);
    }
}
