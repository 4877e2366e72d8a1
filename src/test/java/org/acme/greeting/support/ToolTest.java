package org.acme.greeting.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** What the tests' runner of command-line tools does with a tool that hangs, fails or is missing. */
class ToolTest {

    @Test
    void aToolThatNeverEndsIsKilledAtTheTimeout() {
        long start = System.nanoTime();
        // The child keeps its output open while it sleeps: the case where reading to the end first hung.
        AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> Tool.run(Path.of("."),
                List.of("sh", "-c", "echo started; sleep 60"), Map.of(), Duration.ofSeconds(1)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(failure.getMessage().startsWith("timed out after PT1S: sh -c"), failure.getMessage());
        assertTrue(failure.getMessage().contains("started"), "the output so far is shown: " + failure.getMessage());
        assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "gave up after " + took);
        Awaitility.await("the tool's own children to be killed too").atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").equals("sleep 60")));
    }

    @Test
    void outputAndExitCodeAreReturned() {
        Tool.Result result = Tool.run(Path.of("."), List.of("sh", "-c", "echo out; echo err >&2; exit 3"));
        assertEquals(3, result.exitCode());
        assertEquals("out\nerr\n", result.output());
    }

    @Test
    void aMissingToolFailsAndNamesItsDebianPackage() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class,
                () -> Tool.run(Path.of("."), List.of("/nonexistent/promtool", "check", "rules")));
        assertTrue(failure.getMessage().contains("cannot run /nonexistent/promtool: it is not installed; Debian package prometheus"),
                failure.getMessage());
    }
}
