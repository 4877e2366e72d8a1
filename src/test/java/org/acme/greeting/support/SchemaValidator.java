package org.acme.greeting.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The offline validators under src/test/node: the OpenAPI schemas of Kubernetes, Knative and the
 * Prometheus Operator (validate-k8s.mjs, through the kubernetes-models npm packages) and the
 * Tekton linter. Installed with npm ci at the first use in a test JVM.
 */
public final class SchemaValidator {

    public static final Path NODE_DIR = Path.of("src", "test", "node");
    private static boolean installed;

    private SchemaValidator() {
    }

    /** npm ci in src/test/node, once per test JVM; a missing npm fails the test, naming its package. */
    public static synchronized void install() {
        if (!installed) {
            Tool.require("node", "npm");
            Tool.Result npm = Tool.run(NODE_DIR, List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), Duration.ofMinutes(10));
            assertEquals(0, npm.exitCode(), "npm ci in " + NODE_DIR + " failed:\n" + npm.output());
            installed = true;
        }
    }

    /** Fails the test unless every object in the files is valid; returns the validator's report. */
    public static String validate(List<Path> files) {
        install();
        List<String> command = new ArrayList<>(List.of("node", "validate-k8s.mjs"));
        files.forEach(f -> command.add(f.toAbsolutePath().toString()));
        return Tool.succeed(NODE_DIR, command);
    }
}
