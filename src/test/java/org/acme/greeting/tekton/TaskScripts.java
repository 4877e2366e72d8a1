package org.acme.greeting.tekton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Writes the steps and sidecars of a Tekton Task as shell scripts that run outside a cluster, so
 * that a test runs the Task's own scripts.
 *
 * <p>
 * For each step and sidecar with a script, {@code OUT_DIR/<name>.sh} is that script with the
 * container's environment exported first (the stepTemplate's, for a step, then the container's
 * own; values shell-quoted), {@code OUT_DIR/<name>.workdir} holds its working directory and
 * {@code OUT_DIR/<name>.memory} its memory limit in bytes (empty when it has none).
 * Only Tekton's own variables are replaced: {@code $(params.x)}, {@code $(workspaces.x.path)},
 * {@code $(results.x.path)}, {@code $(context...)}, {@code $(steps...)}, {@code $(tasks...)}; any
 * other {@code $(...)} is the shell's command substitution and stays. A param left unset takes
 * its default; a variable with no value is an error. An environment override replaces (or adds)
 * a variable whose value only makes sense in a pod: a port, HOME, a mount path.
 *
 * <pre>
 * java -cp ... org.acme.greeting.tekton.TaskScripts TASK.yaml OUT_DIR [name=value ...] [--env KEY=VALUE ...]
 * </pre>
 *
 * A name without a dot is a param ({@code revision=v1} sets {@code params.revision}); any other
 * is the variable itself ({@code workspaces.source.path=/src}). src/test/container/aot-image.sh
 * runs it this way; the tests call {@link #write}.
 */
public final class TaskScripts {

    /** Tekton replaces only these; any other $(...) is the shell's. */
    private static final Pattern VARIABLE = Pattern
            .compile("\\$\\(((?:params|workspaces|results|context|steps|tasks)\\.[a-zA-Z0-9_.-]+)\\)");
    /** What a shell word may hold without quotes (as Python's shlex.quote allows). */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private TaskScripts() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: TaskScripts TASK.yaml OUT_DIR [name=value ...] [--env KEY=VALUE ...]");
            System.exit(2);
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--env")) {
                if (++i == args.length) {
                    fail("--env needs KEY=VALUE");
                }
                String[] pair = pair(args[i]);
                env.put(pair[0], pair[1]);
            } else {
                String[] pair = pair(args[i]);
                values.put(pair[0], pair[1]);
            }
        }
        try {
            write(Path.of(args[0]), Path.of(args[1]), values, env);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            fail(e.getMessage());
        }
    }

    /**
     * Writes the scripts of the Task in taskFile into outDir, which must exist; returns the names of
     * the steps and sidecars written, in order.
     *
     * @param values params by name (or "params.name") and any other Tekton variable by its full name
     * @param env environment values that replace the Task's, or are added after them
     * @throws IllegalArgumentException when the file is no Task, or a variable has no value
     */
    public static List<String> write(Path taskFile, Path outDir, Map<String, String> values, Map<String, String> env) {
        JsonNode task;
        try {
            task = new YAMLMapper().readTree(taskFile.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + taskFile + ": " + e.getMessage(), e);
        }
        if (task == null || !"Task".equals(task.path("kind").asText())) {
            throw new IllegalArgumentException(taskFile + " is not a Task (kind " + (task == null ? "none" : task.path("kind").asText()) + ")");
        }
        JsonNode spec = task.path("spec");
        Map<String, String> known = new LinkedHashMap<>();
        for (JsonNode param : spec.path("params")) {
            if (param.has("default")) {
                known.put("params." + param.path("name").asText(), text(param.get("default")));
            }
        }
        values.forEach((name, value) -> known.put(name.contains(".") ? name : "params." + name, value));

        List<String> written = new ArrayList<>();
        JsonNode templateEnv = spec.path("stepTemplate").path("env");
        for (JsonNode step : spec.path("steps")) {
            writeContainer(taskFile, outDir, step, templateEnv, known, env, written);
        }
        for (JsonNode sidecar : spec.path("sidecars")) {
            writeContainer(taskFile, outDir, sidecar, null, known, env, written);
        }
        return written;
    }

    /**
     * A container's computeResources.limits.memory in bytes, 0 when it has none: a Kubernetes
     * quantity, plain or with a binary (Ki, Mi, Gi) or decimal (k, M, G) suffix.
     */
    public static long memoryLimitBytes(JsonNode container) {
        String limit = container.path("computeResources").path("limits").path("memory").asText("");
        if (limit.isEmpty()) {
            return 0;
        }
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|k|M|G)?").matcher(limit);
        if (!m.matches()) {
            throw new IllegalArgumentException("memory limit " + limit + " of " + container.path("name").asText()
                    + " is not a quantity this reads (a whole number, with Ki, Mi, Gi, k, M or G)");
        }
        long unit = switch (m.group(2) == null ? "" : m.group(2)) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "k" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> 1L;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    private static void writeContainer(Path taskFile, Path outDir, JsonNode container, JsonNode inherited,
            Map<String, String> values, Map<String, String> overrides, List<String> written) {
        if (!container.has("script")) {
            return;
        }
        String name = container.path("name").asText();
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode list : inherited == null ? List.of(container.path("env")) : List.of(inherited, container.path("env"))) {
            for (JsonNode variable : list) {
                if (!variable.has("value")) {
                    throw new IllegalArgumentException(taskFile + ": env " + variable.path("name").asText() + " of " + name
                            + " has no value (valueFrom cannot be written out)");
                }
                env.put(variable.path("name").asText(), substitute(taskFile, variable.get("value").asText(), values));
            }
        }
        env.putAll(overrides);

        List<String> lines = new ArrayList<>(substitute(taskFile, container.path("script").asText(), values).lines().toList());
        String shebang = !lines.isEmpty() && lines.get(0).startsWith("#!") ? lines.remove(0) : "#!/bin/sh";
        StringBuilder script = new StringBuilder(shebang).append('\n');
        env.forEach((key, value) -> script.append("export ").append(key).append('=').append(quote(value)).append('\n'));
        lines.forEach(line -> script.append(line).append('\n'));
        String workingDir = substitute(taskFile, container.path("workingDir").asText(""), values);
        try {
            Files.writeString(outDir.resolve(name + ".sh"), script, StandardCharsets.UTF_8);
            Files.writeString(outDir.resolve(name + ".workdir"), workingDir + "\n", StandardCharsets.UTF_8);
            long memory = memoryLimitBytes(container);
            Files.writeString(outDir.resolve(name + ".memory"), (memory > 0 ? String.valueOf(memory) : "") + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the script of " + name + " into " + outDir + ": " + e.getMessage(), e);
        }
        written.add(name);
    }

    /** The text with every Tekton variable replaced by its value. */
    static String substitute(Path taskFile, String text, Map<String, String> values) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String variable = matcher.group(1);
            String value = values.get(variable);
            if (value == null) {
                throw new IllegalArgumentException(taskFile + ": $(" + variable + ") has no value; pass " + variable + "=...");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** One shell word that stands for value exactly: as it is when that is safe, else in single quotes. */
    static String quote(String value) {
        if (value.isEmpty()) {
            return "''";
        }
        if (SAFE.matcher(value).matches()) {
            return value;
        }
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    private static String text(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private static String[] pair(String item) {
        int equals = item.indexOf('=');
        if (equals < 0) {
            fail("expected name=value, got " + item);
        }
        return new String[] { item.substring(0, equals), item.substring(equals + 1) };
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(1);
    }
}
