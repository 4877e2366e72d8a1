package org.acme.greeting.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Prometheus (Debian's prometheus 2.42, which .ci/install-tools installs) on a free loopback port,
 * with the configuration given, and its HTTP API. A missing binary fails the test.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final URI base;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusServer(Process process, URI base) {
        this.process = process;
        this.base = base;
    }

    /**
     * Starts Prometheus in dir (which holds prometheus.yml and whatever it names), on an empty
     * database, and waits until it is ready. Empty: series of an earlier run stay in instant
     * queries for 5 minutes after their last sample.
     */
    public static PrometheusServer start(Path dir, String config) throws IOException, InterruptedException {
        Path data = dir.resolve("data");
        FileTrees.delete(data);
        Files.writeString(dir.resolve("prometheus.yml"), config);
        int port = RedisTestResource.freePort();
        Path log = dir.resolve("prometheus.log");
        Process process;
        try {
            process = new ProcessBuilder(List.of("prometheus",
                    "--config.file=" + dir.resolve("prometheus.yml").toAbsolutePath(),
                    "--storage.tsdb.path=" + data.toAbsolutePath(),
                    "--web.listen-address=127.0.0.1:" + port))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            return fail("cannot run prometheus: " + Tool.missing("prometheus") + " (" + e.getMessage() + ")");
        }
        PrometheusServer server = new PrometheusServer(process, URI.create("http://127.0.0.1:" + port));
        try {
            Awaitility.await("prometheus to be ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        if (!process.isAlive()) {
                            fail("prometheus exited with " + process.exitValue() + ":\n" + Files.readString(log));
                        }
                        return server.get("/-/ready").statusCode() == 200;
                    });
            return server;
        } catch (ConditionTimeoutException e) {
            server.close();
            return fail("prometheus was not ready within 30 s:\n" + Files.readString(log));
        }
    }

    /** An instant query; fails unless Prometheus answers success. Returns data.result. */
    public JsonNode query(String promql) {
        JsonNode answer = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertEquals("success", answer.path("status").asText(), promql + " -> " + answer);
        return answer.path("data").path("result");
    }

    /** The single value of an instant query that returns one series; NaN when it returns none. */
    public double value(String promql) {
        JsonNode result = query(promql);
        if (result.isEmpty()) {
            return Double.NaN;
        }
        assertEquals(1, result.size(), promql + " returned more than one series: " + result);
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** Waits until the job has been scraped at a time after the instant given. */
    public void awaitScrapeAfter(String job, Instant instant) {
        String promql = "max(timestamp(up{job=\"" + job + "\"}))";
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                double scraped = value(promql);
                return !Double.isNaN(scraped) && scraped * 1000 > instant.toEpochMilli();
            });
        } catch (ConditionTimeoutException e) {
            fail("no scrape of " + job + " after " + instant + " within 20 s; targets: " + api("/api/v1/targets"));
        }
    }

    public JsonNode api(String pathAndQuery) {
        try {
            return JSON.readTree(get(pathAndQuery).body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
