package org.acme.greeting.manifests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.acme.greeting.support.Tool;

/**
 * The OpenAPI schemas of Kubernetes and Knative, through the kubernetes-models npm packages
 * (src/test/node/validate-k8s.mjs, installed by the build with npm ci).
 */
final class SchemaValidator {

    static final Path NODE_DIR = Path.of("src", "test", "node");

    private SchemaValidator() {
    }

    /** Fails the test unless every object in the files is valid; returns the validator's report. */
    static String validate(List<Path> files) {
        List<String> command = new ArrayList<>(List.of("node", "validate-k8s.mjs"));
        files.forEach(f -> command.add(f.toAbsolutePath().toString()));
        return Tool.succeed(NODE_DIR, command);
    }
}
