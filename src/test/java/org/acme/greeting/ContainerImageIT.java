package org.acme.greeting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Builds, pushes, pulls and runs the container image for real (src/test/container/image-check.sh).
 * Without podman and a registry this is skipped on a developer machine, and fails in CI (CI=true),
 * where .ci/run installs them.
 */
class ContainerImageIT {

    private static final List<String> TOOLS = List.of("podman", "runc", "skopeo", "docker-registry", "busybox");

    @Test
    void imageBuildsRunsAndMeetsItsChecks() throws IOException, InterruptedException {
        List<String> missing = TOOLS.stream().filter(tool -> !onPath(tool)).toList();
        if (!missing.isEmpty()) {
            if (System.getenv("CI") != null) {
                fail("CI must run the image check, but these are missing: " + missing);
            }
            Assumptions.abort("no container runtime here (missing " + missing + "); CI runs this check");
        }
        Path log = Path.of("target", "image-check.log");
        Process process = new ProcessBuilder("bash", "src/test/container/image-check.sh")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(20, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("the image check took over 20 minutes");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertEquals(0, process.exitValue(), "image check failed, see target/image-check.log");
        assertTrue(output.contains("IMAGE CHECK PASSED"), output);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
