package org.acme.greeting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.acme.greeting.support.Readiness;
import org.acme.greeting.support.RedisTestResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Runs the smoke-test step of tekton/tasks/smoke-test.yaml, the very script the pipeline runs,
 * against this locally started function.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class SmokeTestScriptTest {

    record Run(int exitCode, String output) {
    }

    @TestHTTPResource("/")
    URL root;

    @TempDir
    Path dir;

    @AfterEach
    void redisIsBack() {
        if (!RedisTestResource.redis().isAlive()) {
            RedisTestResource.restart();
        }
        Readiness.await(Duration.ofSeconds(10));
    }

    @Test
    void passesAgainstAHealthyFunction() throws Exception {
        Run run = smokeTest("local");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("SMOKE TEST PASSED"), run.output());
    }

    @Test
    void failsWithAClearMessageWhenRedisIsDown() throws Exception {
        RedisTestResource.redis().kill();
        Run run = smokeTest("local");
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("SMOKE TEST FAILED: GET /ready answered 503"), run.output());
    }

    @Test
    void failsWhenAnotherRevisionAnswers() throws Exception {
        Run run = smokeTest("greeting-00042");
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("answered by revision local, expected greeting-00042"), run.output());
    }

    private Run smokeTest(String expectedRevision) throws IOException, InterruptedException {
        JsonNode task = new YAMLMapper().readTree(Path.of("tekton", "tasks", "smoke-test.yaml").toFile());
        String script = task.path("spec").path("steps").get(0).path("script").asText();
        assertTrue(script.startsWith("#!/usr/bin/env bash"), "the step is a bash script");
        Path file = dir.resolve("smoke-test.sh");
        Files.writeString(file, script);
        ProcessBuilder builder = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true);
        String url = root.toString();
        builder.environment().put("URL", url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        builder.environment().put("EXPECTED_REVISION", expectedRevision);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES));
        return new Run(process.exitValue(), output);
    }
}
