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

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Runs the api-test step of tekton/tasks/api-test.yaml, the very script a review app's pipeline
 * runs, against this locally started function: every check passes, each failure is named in the
 * log and the summary result. Needs bash and curl (tag "tools").
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@Tag("tools")
class ApiTestScriptTest {

    @TestHTTPResource("/")
    URL root;

    @TempDir
    Path dir;

    @AfterEach
    void redisIsBack() {
        RedisTestResource.bringBack();
    }

    @Test
    void theWholeContractPassesAgainstTheFunction() throws IOException {
        Tool.Result run = apiTest(url());
        assertEquals(0, run.exitCode(), run.output());
        assertEquals("9/9 passed", summary());
        for (String check : List.of("GET /health", "GET /ready", "GET /greeting", "GET /greeting?name=Ada", "POST /greeting",
                "GET /greeting with a bad name", "POST /greeting with malformed JSON", "GET an unknown function", "PUT /greeting")) {
            assertTrue(run.output().contains("ok   " + check + ":"), check + " in " + run.output());
        }
        assertTrue(run.output().contains("API TEST 9/9 passed at " + url()), run.output());
    }

    @Test
    void aRedisOutageFailsReadinessAndTheCountsAndSaysWhich() throws IOException {
        RedisTestResource.redis().kill();
        Tool.Result run = apiTest(url());
        assertNotEquals(0, run.exitCode(), run.output());
        assertEquals("5/9 passed, failed: GET /ready, GET /greeting, GET /greeting?name=Ada, POST /greeting", summary());
        assertTrue(run.output().contains("FAIL GET /ready: expected 200 and a JSON body matching \"redis\":\"UP\", got 503 application/json"),
                run.output());
    }

    @Test
    void nothingAnsweringFailsEveryCheckWithStatus000() throws IOException {
        Tool.Result run = apiTest("http://127.0.0.1:9");
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(summary().startsWith("0/9 passed, failed: GET /health, "), summary());
        assertTrue(run.output().contains("FAIL GET /health: expected 200 and a JSON body matching \"status\":\"UP\", got 000 "), run.output());
    }

    private String url() {
        String url = root.toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private Tool.Result apiTest(String url) {
        Tool.require("bash", "curl");
        TaskScripts.write(Path.of("tekton", "tasks", "api-test.yaml"), dir, Map.of("url", url,
                "results.summary.path", dir.resolve("summary").toString()), Map.of());
        return Tool.run(dir, List.of("bash", dir.resolve("api-test.sh").toString()));
    }

    private String summary() throws IOException {
        return Files.readString(dir.resolve("summary"));
    }
}
