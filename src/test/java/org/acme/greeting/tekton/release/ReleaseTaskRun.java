package org.acme.greeting.tekton.release;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.acme.greeting.support.Tool;
import org.acme.greeting.tekton.TaskScripts;

/**
 * One pipeline run's use of the Task greeting-knative-release (tekton/tasks/knative-release.yaml):
 * its own step script, written out by {@link TaskScripts} with the params the
 * Pipeline gives it, run with bash, the real kubectl (pointed at the API server stand-in), jq and
 * kustomize (kubectl's), as the step would in its pod.
 */
final class ReleaseTaskRun {

    /** What one action printed, how it ended, and the results it wrote. */
    record Outcome(int exitCode, String output, String revision, String url, String serving) {
        boolean succeeded() {
            return exitCode == 0;
        }
    }

    static final Path TASK = Path.of("tekton", "tasks", "knative-release.yaml");

    private final String holder;
    private final String environment;
    private final Path work;
    private final Path kubeconfig;
    private final Path source;

    /** A run named holder (the PipelineRun's name), with its own folders under work. */
    ReleaseTaskRun(String holder, String environment, Path work, Path kubeconfig, Path source) {
        this.holder = holder;
        this.environment = environment;
        this.work = work.resolve(holder);
        this.kubeconfig = kubeconfig;
        this.source = source;
    }

    String holder() {
        return holder;
    }

    Outcome acquire() {
        return run("acquire");
    }

    /** Deploys the image tagged version, with a digest made from the version (one image per version). */
    Outcome deploy(String version) {
        return deploy(version, digestOf(version));
    }

    Outcome deploy(String version, String digest) {
        return run("deploy", "image-url=registry.example.com/acme/greeting:" + version, "image-digest=" + digest,
                "image-tag=" + version, "workspaces.source.path=" + source);
    }

    Outcome promote(String revision) {
        return run("promote", "revision=" + revision);
    }

    Outcome finish() {
        return run("finish");
    }

    static String digestOf(String version) {
        return "sha256:" + String.format("%64s", Integer.toHexString(version.hashCode())).replace(' ', '0');
    }

    /** Runs one action with the Pipeline's params and these further ones (a later one wins). */
    Outcome run(String action, String... params) {
        try {
            Path dir = work.resolve(action + "-" + System.nanoTime());
            Path results = dir.resolve("results");
            Files.createDirectories(results);
            Map<String, String> values = new LinkedHashMap<>();
            values.put("action", action);
            values.put("environment", environment);
            values.put("holder", holder);
            values.put("poll-seconds", "0.2");
            values.put("timeout-seconds", "30");
            values.put("wait-seconds", "60");
            values.put("results.revision.path", results.resolve("revision").toString());
            values.put("results.url.path", results.resolve("url").toString());
            values.put("results.serving.path", results.resolve("serving").toString());
            values.put("workspaces.source.path", "");
            for (String param : params) {
                int equals = param.indexOf('=');
                values.put(param.substring(0, equals), param.substring(equals + 1));
            }
            // One HOME per run, as one pod's /tekton/home: kubectl caches discovery there.
            TaskScripts.write(TASK, dir, values, Map.of("HOME", work.toAbsolutePath().toString()));
            Tool.require("bash", "kubectl", "jq");
            Tool.Result result = Tool.run(Path.of("."), List.of("bash", dir.resolve("release.sh").toString()),
                    Map.of("KUBECONFIG", kubeconfig.toString()));
            System.out.printf("== %s %s: exit %d%n%s%n", holder, action, result.exitCode(), result.output());
            return new Outcome(result.exitCode(), result.output(), read(results.resolve("revision")),
                    read(results.resolve("url")), read(results.resolve("serving")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
