package org.acme.greeting.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real command-line tool; a missing tool fails the test, it never skips it. */
public final class Tool {

    public record Result(int exitCode, String output) {
    }

    private Tool() {
    }

    public static Result run(Path directory, List<String> command) {
        return run(directory, command, Map.of());
    }

    /** Runs the command with these variables added to the environment; output and errors together. */
    public static Result run(Path directory, List<String> command, Map<String, String> env) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                fail("timed out: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return fail("cannot run " + command.get(0) + " (is it installed? .ci/run installs it): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(e);
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
}
