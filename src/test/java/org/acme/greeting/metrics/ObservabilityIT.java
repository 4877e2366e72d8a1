package org.acme.greeting.metrics;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.AsAPod;
import org.acme.greeting.support.MetricsScrape;
import org.acme.greeting.support.PasswordRedisTestResource;
import org.acme.greeting.support.RawHttp;
import org.acme.greeting.support.Readiness;
import org.acme.greeting.support.RedisTestResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The packaged application as production runs it (prod profile: JSON logs): what /q/metrics says
 * through good, bad and degraded greetings and a Redis outage, read as Prometheus would read it,
 * and what the log says. PrometheusRulesIT (knative package) has a real Prometheus scrape it with
 * the alert rules and the dashboard of knative/observability.
 */
@QuarkusIntegrationTest
@TestProfile(AsAPod.class)
@WithTestResource(PasswordRedisTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {

    private static final String REVISION = AsAPod.REVISION;
    /** A caller's name: it may be in a greeting's body, never in a log line or a metric. */
    private static final String CALLER = "Zebulon Quartermaine";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI app;

    @AfterEach
    void redisIsBack() {
        RedisTestResource.bringBack();
    }

    @Test
    @Order(1)
    void countersMoveByExactlyTheRequestsSentPerOutcomeAndRedisUpGoesOneZeroOne() {
        // Ready as Knative's probe finds it, by asking again: on a cold JVM the first ping can miss
        // greeting.ready.timeout, and /ready then says so honestly.
        Readiness.await(Duration.ofSeconds(10));
        MetricsScrape before = scrape();
        assertEquals(1.0, before.value("greeting_redis_up"), "Redis up before the outage");

        for (int i = 0; i < 7; i++) {
            given().queryParam("name", CALLER).get(app.resolve("/greeting")).then().statusCode(200);
        }
        given().queryParam("name", CALLER + "<script>").get(app.resolve("/greeting")).then().statusCode(400);
        given().queryParam("name", "x".repeat(65)).get(app.resolve("/greeting")).then().statusCode(400);
        given().contentType("application/json").body("{\"name\": \"" + CALLER).post(app.resolve("/greeting")).then().statusCode(400);
        given().put(app.resolve("/greeting")).then().statusCode(405);
        given().contentType("application/json").body("{\"name\":\"" + "a".repeat(20_000) + "\"}")
                .post(app.resolve("/greeting")).then().statusCode(413);
        // Refused by a guard before Funqy sees it (AsciiRequestTarget): timed and counted all the same.
        assertEquals(400, RawHttp.send(app.getPort(), RawHttp.request("GET", "/greeting?name=\u00e9", Map.of(), null)).status());
        // Paths nobody serves: one label value for all of them, whatever the caller puts there.
        for (String path : List.of("/" + CALLER.replace(' ', '-'), "/greeting/x", "/a/b/c")) {
            given().get(app.resolve(path)).then().statusCode(404);
        }
        MetricsScrape after = scrape();
        assertEquals(7, moved(before, after, greetings("counted")), "counted");
        assertEquals(6, moved(before, after, greetings("refused")), "refused");
        assertEquals(0, moved(before, after, greetings("unavailable")), "unavailable");
        assertEquals(7, moved(before, after, requests("/greeting", 200)), "HTTP 200s on /greeting");
        assertEquals(4, moved(before, after, requests("/greeting", 400)), "HTTP 400s on /greeting");
        assertEquals(3, moved(before, after, requests("NOT_FOUND", 404)), "HTTP 404s, under one uri label");

        RedisTestResource.redis().kill();
        given().header("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01").queryParam("name", CALLER)
                .get(app.resolve("/greeting")).then().statusCode(200).body("count", nullValue());
        for (int i = 0; i < 3; i++) {
            given().get(app.resolve("/greeting")).then().statusCode(200).body("count", nullValue());
        }
        MetricsScrape outage = scrape();
        assertEquals(4, moved(after, outage, greetings("unavailable")), "unavailable during the outage");
        assertEquals(0, moved(after, outage, greetings("counted")), "counted during the outage");
        assertEquals(0.0, outage.value("greeting_redis_up"), "Redis up during the outage");

        RedisTestResource.restart();
        given().get(app.resolve("/ready")).then().statusCode(200);
        assertEquals(1.0, scrape().value("greeting_redis_up"), "Redis up after the outage");
    }

    /** Label values come from fixed sets: nothing a caller sent becomes a label. */
    @Test
    @Order(2)
    void labelsHoldOnlyFixedValues() {
        MetricsScrape metrics = scrape();
        assertEquals(new TreeSet<>(List.of("/greeting", "/ready", "NOT_FOUND")),
                metrics.labelValues("http_server_requests_seconds_count", "uri"));
        assertEquals(new TreeSet<>(List.of("counted", "refused", "unavailable")), metrics.labelValues("greetings_total", "outcome"));
        assertTrue(metrics.value("greeting_startup_duration_seconds") > 0, "the start-up time is known");
    }

    /** JSON lines with the fields log pipelines read; the trace id of the request that found Redis down. */
    @Test
    @Order(3)
    void theLogIsJsonLinesWithRevisionAndTraceId() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : AppLog.all().split("\n")) {
            if (line.startsWith("{")) {
                lines.add(JSON.readTree(line));
            }
        }
        assertTrue(lines.size() >= 3, "JSON lines in the log: " + lines.size());
        for (JsonNode line : lines) {
            for (String field : List.of("timestamp", "level", "loggerName", "message", "hostName")) {
                assertTrue(line.hasNonNull(field), field + " missing: " + line);
            }
            assertEquals(REVISION, line.path("revision").asText(), line.toString());
        }
        // The last one: the outage's, which the traced greeting found. A cold JVM may log an earlier
        // one when its first ping misses the readiness timeout, found by an untraced probe.
        JsonNode down = lines.stream().filter(l -> l.path("message").asText().startsWith("Redis is DOWN"))
                .reduce((earlier, later) -> later).orElseThrow(() -> new AssertionError("no 'Redis is DOWN' line"));
        assertEquals(TRACE_ID, down.path("mdc").path("traceId").asText(), down.toString());
        assertEquals("WARN", down.path("level").asText());
    }

    /** Neither the password nor a caller's name, in any log line or metric. */
    @Test
    @Order(4)
    void noSecretAndNoCallerNameInLogsOrMetrics() {
        String metrics = given().get(app.resolve("/q/metrics")).then().statusCode(200).extract().asString();
        String log = AppLog.all();
        assertTrue(metrics.contains("greetings_total") && log.contains("Redis is DOWN"), "looked at real output");
        for (String secret : List.of(PasswordRedisTestResource.PASSWORD, "Zebulon", "Quartermaine")) {
            assertFalse(metrics.contains(secret), secret + " is in /q/metrics");
            assertFalse(log.contains(secret), secret + " is in the log");
        }
    }

    /** The JVM and process meters the dashboard and the runbooks name (metrics/JvmMeters, Quarkus' system binder). */
    @Test
    @Order(5)
    void theJvmAndProcessMetersAreExported() {
        Set<String> names = scrape().names();
        for (String name : List.of("jvm_gc_collections_total", "jvm_gc_collection_time_seconds_total", "jvm_memory_used_bytes",
                "jvm_threads_live_threads", "process_cpu_usage", "process_uptime_seconds")) {
            assertTrue(names.contains(name), name + " is not exported");
        }
    }

    private MetricsScrape scrape() {
        return MetricsScrape.parse(given().get(app.resolve("/q/metrics")).then().statusCode(200).extract().asString());
    }

    private static double moved(MetricsScrape from, MetricsScrape to, Map.Entry<String, Map<String, String>> series) {
        return to.sum(series.getKey(), series.getValue()) - from.sum(series.getKey(), series.getValue());
    }

    private static Map.Entry<String, Map<String, String>> greetings(String outcome) {
        return Map.entry("greetings_total", Map.of("outcome", outcome));
    }

    private static Map.Entry<String, Map<String, String>> requests(String uri, int status) {
        Map<String, String> labels = new HashMap<>();
        labels.put("uri", uri);
        labels.put("status", String.valueOf(status));
        return Map.entry("http_server_requests_seconds_count", labels);
    }
}
