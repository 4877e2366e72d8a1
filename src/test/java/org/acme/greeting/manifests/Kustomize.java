package org.acme.greeting.manifests;

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
}
