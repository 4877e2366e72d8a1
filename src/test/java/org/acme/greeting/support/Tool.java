package org.acme.greeting.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real command-line tool. A missing tool fails the test, naming the Debian package that
 * provides it (.ci/tools.txt); it never skips. The output goes to a file while the tool runs, so
 * that the timeout fires even when the tool never closes its output.
 */
public final class Tool {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    private static final Path PACKAGES = Path.of(".ci", "tools.txt");

    public record Result(int exitCode, String output) {
    }

    private Tool() {
    }

    public static Result run(Path directory, List<String> command) {
        return run(directory, command, Map.of());
    }

    /** Runs the command with these variables added to the environment; output and errors together. */
    public static Result run(Path directory, List<String> command, Map<String, String> env) {
        return run(directory, command, env, DEFAULT_TIMEOUT);
    }

    /** As {@link #run(Path, List, Map)}; the command is killed, and the test fails, after the timeout. */
    public static Result run(Path directory, List<String> command, Map<String, String> env, Duration timeout) {
        Path output;
        try {
            output = Files.createTempFile("tool-", ".out");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return fail("timed out after " + timeout + ": " + String.join(" ", command) + "\n" + read(output));
            }
            return new Result(process.exitValue(), read(output));
        } catch (IOException e) {
            return fail("cannot run " + command.get(0) + ": " + missing(command.get(0)) + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(e);
        } finally {
            output.toFile().delete();
        }
    }

    /** Runs the command and fails the test, showing its output, unless it exits 0. */
    public static String succeed(Path directory, List<String> command) {
        Result result = run(directory, command);
        if (result.exitCode() != 0) {
            fail(String.join(" ", command) + " exited with " + result.exitCode() + ":\n" + result.output());
        }
        return result.output();
    }

    /**
     * Fails the test, naming the Debian package, unless every tool is on the PATH: for tools that a
     * script calls, where a missing one would only say "command not found".
     */
    public static void require(String... tools) {
        for (String tool : tools) {
            path(tool);
        }
    }

    /** Where a tool is on the PATH; fails the test, naming the Debian package, when it is not. */
    public static Path path(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool).toAbsolutePath();
            }
        }
        return fail("cannot run " + tool + ": " + missing(tool));
    }

    /** Says which Debian package provides a tool, from .ci/tools.txt, the list .ci/install-tools installs. */
    static String missing(String tool) {
        String name = Path.of(tool).getFileName().toString();
        String[] entry = packages().get(name);
        if (entry == null) {
            return "is it installed?";
        }
        return entry[1].equals("-") ? "it is not installed; " + (entry.length > 2 ? entry[2] : "not from Debian")
                : "it is not installed; Debian package " + entry[1] + " (bash .ci/install-tools installs the tools of -Ptools)";
    }

    /** Tool name to its line of .ci/tools.txt: the tool, its Debian package or "-", and a note. */
    private static Map<String, String[]> packages() {
        Map<String, String[]> packages = new HashMap<>();
        try {
            for (String line : Files.readAllLines(PACKAGES)) {
                String[] fields = line.strip().split("\\s+", 3);
                if (fields.length >= 2 && !fields[0].startsWith("#")) {
                    packages.put(fields[0], fields);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return packages;
    }

    private static String read(Path output) throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }
}
