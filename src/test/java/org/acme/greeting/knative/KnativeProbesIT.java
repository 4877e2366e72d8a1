package org.acme.greeting.knative;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.acme.greeting.support.LateRedisTestResource;
import org.acme.greeting.support.Readiness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * What Knative's queue-proxy sees of the packaged application while Redis is unreachable, with the
 * readiness probe the manifests name (knative/base/probes.yaml, which every overlay keeps). For a probe with periodSeconds 0 the
 * queue-proxy sends GET &lt;path&gt; with User-Agent kube-probe/&lt;version&gt; every 50 ms, each with a
 * 100 ms timeout, and counts 200-399 as ready; a starting pod must pass one within 10 s
 * (knative/serving 1.20 pkg/queue/readiness/probe.go, pkg/queue/health/probe.go). The application
 * starts with no Redis at all, as a pod cold-starting during an outage; Redis comes, then is killed.
 */
@QuarkusIntegrationTest
@WithTestResource(LateRedisTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KnativeProbesIT {

    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(100);
    private static final Duration PROBE_PERIOD = Duration.ofMillis(50);
    private static final int PROBES = 40;
    /** How long the queue-proxy keeps probing a starting pod (PollTimeout). */
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(10);
    private static String readinessPath;

    @TestHTTPResource("/")
    URI root;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /**
     * The readiness probe as knative/base/probes.yaml adds it to the Service (a JSON patch, which
     * the overlays keep; KnativeManifestsIT checks the rendered overlays with kubectl kustomize).
     */
    @BeforeAll
    static void readinessProbeOfTheManifest() throws IOException {
        JsonNode patch = new YAMLMapper().readTree(Path.of("knative", "base", "probes.yaml").toFile());
        JsonNode probe = null;
        for (JsonNode operation : patch) {
            if (operation.path("path").asText().endsWith("/readinessProbe")) {
                probe = operation.path("value");
            }
        }
        assertTrue(probe != null, "knative/base/probes.yaml adds a readiness probe");
        assertEquals(0, probe.path("periodSeconds").asInt(), "aggressive probing, as the timing here assumes");
        readinessPath = probe.path("httpGet").path("path").asText();
    }

    @Test
    @Order(1)
    void aPodThatColdStartsWhileRedisIsDownIsReadyAndAnswersDegradedGreetings() throws Exception {
        long start = System.nanoTime();
        int failures = 0;
        while (!failedProbes(readinessPath, 1).isEmpty()) {
            failures++;
            assertTrue(System.nanoTime() - start < POLL_TIMEOUT.toNanos(), "no probe passed within " + POLL_TIMEOUT);
        }
        System.out.printf("cold start without Redis: first probe of %s passed after %d failed ones, %d ms%n",
                readinessPath, failures, Duration.ofNanos(System.nanoTime() - start).toMillis());
        assertEquals(List.of(), failedProbes(), "then every probe passes: the queue-proxy routes to this pod");
        given().get("/greeting").then().statusCode(200).body("count", nullValue()).body("counter", equalTo("unavailable"));
        given().get("/ready").then().statusCode(503);
    }

    @Test
    @Order(2)
    void whenRedisComesTheSamePodCounts() {
        LateRedisTestResource.startRedis();
        Readiness.await(Duration.ofSeconds(10));
        given().get("/greeting").then().statusCode(200).body("counter", equalTo("ok"));
    }

    @Test
    @Order(3)
    void whenRedisIsKilledEveryProbeStillPassesAndGreetingsDegradeWhereAProbeOnReadyWouldHaveFailedEveryTime() throws Exception {
        LateRedisTestResource.killRedis();
        given().get("/greeting").then().statusCode(200).body("count", nullValue());
        assertEquals(List.of(), failedProbes(), "with " + readinessPath + ", the pod stays in service");
        List<String> onReady = failedProbes("/ready");
        assertEquals(PROBES, onReady.size(), "a readiness probe on /ready would fail every probe: " + onReady);
        given().get("/greeting").then().statusCode(200).body("count", nullValue()).body("counter", equalTo("unavailable"));
    }

    private List<String> failedProbes() throws Exception {
        return failedProbes(readinessPath, PROBES);
    }

    private List<String> failedProbes(String path) throws Exception {
        return failedProbes(path, PROBES);
    }

    /** Probes the path as the queue-proxy does, a number of times; returns the probes that failed and why. */
    private List<String> failedProbes(String path, int probes) throws Exception {
        List<String> failed = new ArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(root.resolve(path)).timeout(PROBE_TIMEOUT)
                .header("User-Agent", "kube-probe/1.33").GET().build();
        for (int i = 0; i < probes; i++) {
            long start = System.nanoTime();
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status < 200 || status >= 400) {
                    failed.add("probe " + i + ": " + status);
                }
            } catch (IOException e) {
                failed.add("probe " + i + ": " + e + " after " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
            }
            Thread.sleep(PROBE_PERIOD.toMillis());
        }
        return failed;
    }
}
