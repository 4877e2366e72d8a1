package org.acme.greeting.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Map;

import org.acme.greeting.support.Tool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Builds, pushes, pulls and runs the container image for real (src/test/container/image-check.sh).
 * It needs JDK 25, the image's JVM: the script jlinks the stand-in base from this JDK and the
 * pipeline's Task trains a JDK 25 AOT cache; on an older JDK it is skipped with a message, and CI
 * runs it in its JDK 25 pass. It needs podman, a registry and the other tools below (tag "tools"):
 * a missing one fails it, naming its Debian package (.ci/tools.txt).
 */
@Tag("tools")
class ContainerImageIT {

    /** What image-check.sh and aot-image.sh run besides the JDK, bash and coreutils. */
    private static final List<String> TOOLS = List.of("podman", "runc", "skopeo", "docker-registry", "busybox", "curl", "unzip", "jq",
            "python3");

    private static final int IMAGE_JDK = 25;

    @Test
    void imageBuildsRunsAndMeetsItsChecks() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Runtime.version().feature() >= IMAGE_JDK, "the image check needs JDK " + IMAGE_JDK
                + " (the image's JVM and its AOT cache), these tests run on JDK " + Runtime.version().feature()
                + "; run them with JAVA_HOME set to a JDK " + IMAGE_JDK + " (CI does, in its second pass)");
        Tool.require(TOOLS.toArray(String[]::new));
        // The script's JDK 25 is the one running these tests, not whichever it would find.
        Map<String, String> env = Runtime.version().feature() == IMAGE_JDK ? Map.of("JDK25_HOME", System.getProperty("java.home"))
                : Map.of();
        Tool.Result check = Tool.run(Path.of("."), List.of("bash", "src/test/container/image-check.sh"), env, Duration.ofMinutes(20));
        Files.writeString(Path.of("target", "image-check.log"), check.output());
        System.out.println(check.output());
        assertEquals(0, check.exitCode(), "image check failed, see target/image-check.log");
        assertTrue(check.output().contains("IMAGE CHECK PASSED"), check.output());
    }
}
