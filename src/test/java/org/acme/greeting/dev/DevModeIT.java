package org.acme.greeting.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.acme.greeting.support.FileTrees;
import org.acme.greeting.support.RedisTestResource;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

/**
 * The README's first command, {@code ./mvnw quarkus:dev}, as a newcomer runs it: in a clean copy
 * of the project, with no Redis installed and nothing configured but free ports. Dev mode starts
 * its own redis-server, greetings count, /ready is UP; with that Redis killed, greetings degrade
 * and /ready is 503, as the README shows; stopping dev mode stops its Redis too.
 */
class DevModeIT {

    private static final Path WORK = Path.of("target", "dev-mode-check");
    private static final Duration START_LIMIT = Duration.ofMinutes(4);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void devModeCountsInARedisItStartsItselfAndDegradesWithoutIt() throws Exception {
        Path project = WORK.resolve("project").toAbsolutePath();
        FileTrees.delete(WORK);
        FileTrees.copyProject(project);
        int httpPort = RedisTestResource.freePort();
        int redisPort = RedisTestResource.freePort();
        Path log = WORK.resolve("dev-mode.log");

        List<String> command = new ArrayList<>(List.of("./mvnw", "-B", "-ntp", "quarkus:dev", "-Ddebug=false",
                "-Dquarkus.analytics.disabled=true"));
        // The build's own local repository (as the Task's, on its volume), so nothing is downloaded again.
        String repository = System.getProperty("maven.repo.local", "");
        if (!repository.isBlank()) {
            command.add("-Dmaven.repo.local=" + repository);
        }
        // The coverage agent of the integration tests, when the build gives one (pom.xml).
        String agent = System.getProperty("quarkus.test.arg-line", "");
        if (!agent.isBlank()) {
            command.add("-Djvm.args=" + agent);
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        builder.environment().put("REDIS_PORT", String.valueOf(redisPort));
        builder.environment().remove("REDIS_HOST");
        builder.environment().remove("REDIS_URL");
        Process maven = builder.start();
        maven.getOutputStream().close();
        String base = "http://127.0.0.1:" + httpPort;
        try {
            awaitHealth(base, maven, log);
            String started = Files.readString(log);
            assertTrue(started.contains("Started an embedded redis-server on 127.0.0.1:" + redisPort), started);

            JsonObject first = new JsonObject(get(base + "/greeting", 200));
            assertEquals("Hello, World!", first.getString("message"));
            assertEquals(1L, first.getLong("count"), "a fresh dev Redis counts from 1");
            assertEquals("ok", first.getString("counter"));
            assertEquals("dev", first.getString("environment"));
            assertEquals("local", first.getString("revision"));
            JsonObject second = new JsonObject(get(base + "/greeting?name=Ada", 200));
            assertEquals("Hello, Ada!", second.getString("message"));
            assertEquals(2L, second.getLong("count"));
            assertEquals("{\"status\":\"UP\",\"checks\":{\"redis\":\"UP\"}}", get(base + "/ready", 200));

            // As the README shows: its Redis gone, dev mode degrades.
            ProcessHandle redis = devRedis(maven);
            redis.destroy();
            redis.onExit().get(10, TimeUnit.SECONDS);
            JsonObject degraded = new JsonObject(get(base + "/greeting", 200));
            assertNull(degraded.getLong("count"));
            assertEquals("unavailable", degraded.getString("counter"));
            assertEquals("{\"status\":\"DOWN\",\"checks\":{\"redis\":\"DOWN\"}}", get(base + "/ready", 503));

            // A live reload (an edited file, then a request) restarts the application and its
            // Redis, which reloads its append-only file: the count goes on. Dev mode looks for
            // changes at most every 2 s, so the requests go on until one brings the reload.
            Path properties = project.resolve("src/main/resources/application.properties");
            Files.writeString(properties, Files.readString(properties) + "\n# edited by DevModeIT\n");
            JsonObject reloaded = Awaitility.await("a greeting counted after the live reload")
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> new JsonObject(get(base + "/greeting", 200)), greeting -> greeting.getLong("count") != null);
            assertEquals(3L, reloaded.getLong("count"), "the count survives a live reload and the Redis restart");
            assertTrue(Files.readString(log).contains("Live reload"), "dev mode reloaded");
            redis = devRedis(maven);

            stop(maven);
            assertTrue(redis.onExit().get(10, TimeUnit.SECONDS) != null && !redis.isAlive(),
                    "stopping dev mode stops its redis-server");
        } finally {
            if (maven.isAlive()) {
                maven.descendants().forEach(ProcessHandle::destroyForcibly);
                maven.destroyForcibly();
            }
        }
    }

    private static ProcessHandle devRedis(Process maven) {
        return descendant(maven, "redis-server").orElseThrow(() -> new AssertionError("dev mode runs no redis-server"));
    }

    private void awaitHealth(String base, Process maven, Path log) throws Exception {
        try {
            Awaitility.await("dev mode to answer /health").atMost(START_LIMIT).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        if (!maven.isAlive()) {
                            fail("./mvnw quarkus:dev exited with " + maven.exitValue() + ":\n" + tail(log));
                        }
                        return http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    });
        } catch (ConditionTimeoutException e) {
            fail("dev mode did not answer /health within " + START_LIMIT + ":\n" + tail(log));
        }
    }

    private String get(String url, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, response.statusCode(), url + " answered " + response.body());
        return response.body();
    }

    /** SIGTERM to the dev JVM, as Ctrl+C would: it stops its Redis and writes its coverage; then Maven exits. */
    private static void stop(Process maven) throws Exception {
        ProcessHandle app = descendant(maven, "-dev.jar").orElseThrow(() -> new AssertionError("no dev JVM"));
        app.destroy();
        if (!maven.waitFor(60, TimeUnit.SECONDS)) {
            fail("dev mode did not stop within 60 s of SIGTERM");
        }
        assertFalse(app.isAlive(), "the dev JVM stopped");
    }

    private static Optional<ProcessHandle> descendant(Process process, String commandPart) {
        return process.descendants()
                .filter(p -> p.isAlive() && p.info().commandLine().map(c -> c.contains(commandPart)).orElse(false))
                .findFirst();
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
