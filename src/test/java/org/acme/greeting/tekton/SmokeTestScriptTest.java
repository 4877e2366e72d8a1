package org.acme.greeting.tekton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.acme.greeting.support.RedisTestResource;
import org.acme.greeting.support.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Runs the smoke-test step of tekton/tasks/smoke-test.yaml, the very script the pipeline runs,
 * against this locally started function. Needs bash and curl (tag "tools").
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@Tag("tools")
class SmokeTestScriptTest {

    @TestHTTPResource("/")
    URL root;

    @TempDir
    Path dir;

    @AfterEach
    void redisIsBack() {
        RedisTestResource.bringBack();
    }

    @Test
    void passesAgainstAHealthyFunction() throws IOException {
        Tool.Result run = smokeTest("local");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("SMOKE TEST PASSED"), run.output());
    }

    @Test
    void failsWithAClearMessageWhenRedisIsDown() throws IOException {
        RedisTestResource.redis().kill();
        Tool.Result run = smokeTest("local");
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("SMOKE TEST FAILED: GET /ready answered 503"), run.output());
    }

    @Test
    void failsWhenAnotherRevisionAnswers() throws IOException {
        Tool.Result run = smokeTest("greeting-00042");
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("answered by revision local, expected greeting-00042"), run.output());
    }

    @Test
    void saysStatus000WhenNothingAnswers() throws IOException {
        Tool.Result run = smokeTest("http://127.0.0.1:9", "local");
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("SMOKE TEST FAILED: GET /health answered 000, expected 200"), run.output());
    }

    private Tool.Result smokeTest(String expectedRevision) throws IOException {
        String url = root.toString();
        return smokeTest(url.endsWith("/") ? url.substring(0, url.length() - 1) : url, expectedRevision);
    }

    private Tool.Result smokeTest(String url, String expectedRevision) throws IOException {
        JsonNode task = new YAMLMapper().readTree(Path.of("tekton", "tasks", "smoke-test.yaml").toFile());
        String script = task.path("spec").path("steps").get(0).path("script").asText();
        assertTrue(script.startsWith("#!/usr/bin/env bash"), "the step is a bash script");
        Path file = dir.resolve("smoke-test.sh");
        Files.writeString(file, script);
        Tool.require("bash", "curl");
        return Tool.run(dir, List.of("bash", file.toString()), Map.of("URL", url, "EXPECTED_REVISION", expectedRevision));
    }
}
