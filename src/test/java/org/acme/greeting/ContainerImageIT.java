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
 * It needs JDK 25, the image's JVM: the script jlinks the stand-in base from this JDK and the
 * pipeline's Task trains a JDK 25 AOT cache; on an older JDK it is skipped with a message, and CI
 * runs it in its JDK 25 pass. Without podman and a registry it is skipped on a developer machine,
 * and fails in CI (CI=true), where .ci/run installs them.
 */
class ContainerImageIT {

    private static final List<String> TOOLS = List.of("podman", "runc", "skopeo", "docker-registry", "busybox");

    private static final int IMAGE_JDK = 25;

    @Test
    void imageBuildsRunsAndMeetsItsChecks() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Runtime.version().feature() >= IMAGE_JDK, "the image check needs JDK " + IMAGE_JDK
                + " (the image's JVM and its AOT cache), these tests run on JDK " + Runtime.version().feature()
                + "; run them with JAVA_HOME set to a JDK " + IMAGE_JDK + " (CI does, in its second pass)");
        List<String> missing = TOOLS.stream().filter(tool -> !onPath(tool)).toList();
        if (!missing.isEmpty()) {
            if (System.getenv("CI") != null) {
                fail("CI must run the image check, but these are missing: " + missing);
            }
            Assumptions.abort("no container runtime here (missing " + missing + "); CI runs this check");
        }
        Path log = Path.of("target", "image-check.log");
        ProcessBuilder builder = new ProcessBuilder("bash", "src/test/container/image-check.sh");
        if (Runtime.version().feature() == IMAGE_JDK) {
            // The script's JDK 25 is the one running these tests, not whichever it would find.
            builder.environment().put("JDK25_HOME", System.getProperty("java.home"));
        }
        Process process = builder
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
