package org.acme.greeting;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.acme.greeting.support.AlertRules;
import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.PasswordRedisTestResource;
import org.acme.greeting.support.PrometheusServer;
import org.acme.greeting.support.RawHttp;
import org.acme.greeting.support.Readiness;
import org.acme.greeting.support.RedisTestResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The packaged application, as production runs it (prod profile: JSON logs), scraped by a real
 * Prometheus with the alert rules of knative/observability loaded and the PodMonitor's
 * relabelings applied. A second target serves Knative Serving 1.20's activator and autoscaler
 * metrics as recorded text (src/test/resources/prometheus/knative-serving-1.20.prom): no
 * cluster here, so those are realistic samples, named and labelled as its source writes them.
 */
@QuarkusIntegrationTest
@TestProfile(ObservabilityIT.AsAPod.class)
@WithTestResource(PasswordRedisTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {

    /** The password Redis demands, and the revision name Knative would give the pod. */
    public static class AsAPod implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("REDIS_PASSWORD", PasswordRedisTestResource.PASSWORD, "K_REVISION", REVISION);
        }
    }

    static final String REVISION = "greeting-00001";
    private static final String NAMESPACE = "greeting-it";
    private static final String JOB = NAMESPACE + "/greeting";
    /** A caller's name: it may be in a greeting's body, never in a log line or a metric. */
    private static final String CALLER = "Zebulon Quartermaine";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final Path DIR = Path.of("target", "observability-it");
    private static final Path KNATIVE_RECORDED = Path.of("src", "test", "resources", "prometheus", "knative-serving-1.20.prom");
    private static final Path DASHBOARD = Path.of("knative", "observability", "greeting-dashboard.json");
    private static final Path POD_MONITOR = Path.of("knative", "observability", "podmonitor.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PrometheusServer prometheus;
    private static HttpServer knative;

    @TestHTTPResource("/")
    URI app;

    @BeforeEach
    void prometheusScrapesTheApplication() throws Exception {
        if (prometheus != null) {
            return;
        }
        Files.createDirectories(DIR);
        byte[] recorded = Files.readAllBytes(KNATIVE_RECORDED);
        knative = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        knative.createContext("/metrics", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, recorded.length);
            exchange.getResponseBody().write(recorded);
            exchange.close();
        });
        knative.start();
        AlertRules.writeRuleFile(DIR.resolve("rules.yaml"));
        prometheus = PrometheusServer.start(DIR, config());
        prometheus.awaitScrapeAfter(JOB, Instant.now());
        prometheus.awaitScrapeAfter("knative-serving", Instant.now());
    }

    @AfterEach
    void redisIsBack() {
        RedisTestResource.bringBack();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (prometheus != null) {
            prometheus.close();
            knative.stop(0);
        }
    }

    /**
     * What the Prometheus Operator makes of the PodMonitor for a pod of the Service: the pod's
     * Kubernetes metadata as discovery labels, the Operator's own namespace and pod labels, then
     * the PodMonitor's relabelings and path. Scraped every second instead of 15 s.
     */
    private String config() throws IOException {
        JsonNode endpoint = new YAMLMapper().readTree(POD_MONITOR.toFile()).path("spec").path("podMetricsEndpoints").get(0);
        StringBuilder relabel = new StringBuilder()
                .append("      - {source_labels: [__meta_kubernetes_namespace], target_label: namespace}\n")
                .append("      - {source_labels: [__meta_kubernetes_pod_name], target_label: pod}\n");
        for (JsonNode r : endpoint.path("relabelings")) {
            relabel.append("      - {source_labels: ").append(r.path("sourceLabels"))
                    .append(", target_label: ").append(r.path("targetLabel").asText()).append("}\n");
        }
        return String.join("\n",
                "global: {scrape_interval: 1s, evaluation_interval: 1s}",
                "rule_files: [rules.yaml]",
                "scrape_configs:",
                "  - job_name: " + JOB,
                "    metrics_path: " + endpoint.path("path").asText(),
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + app.getPort() + "']",
                "        labels:",
                "          __meta_kubernetes_namespace: " + NAMESPACE,
                "          __meta_kubernetes_pod_name: " + REVISION + "-deployment-7d9f8-x2x4p",
                "          __meta_kubernetes_pod_label_serving_knative_dev_service: greeting",
                "          __meta_kubernetes_pod_label_serving_knative_dev_revision: " + REVISION,
                "    relabel_configs:",
                relabel.toString(),
                "  - job_name: knative-serving",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + knative.getAddress().getPort() + "']",
                "");
    }

    /** A counter; 0 while it has no series yet (Micrometer registers a status's series at its first request). */
    private double count(String promql) {
        double value = prometheus.value(promql);
        return Double.isNaN(value) ? 0 : value;
    }

    private double greetings(String outcome) {
        return count("sum(greetings_total{job=\"" + JOB + "\", outcome=\"" + outcome + "\"})");
    }

    private double requests(String uri, int status) {
        return count("sum(http_server_requests_seconds_count{job=\"" + JOB + "\", uri=\"" + uri
                + "\", status=\"" + status + "\"})");
    }

    private double redisUp() {
        return prometheus.value("greeting_redis_up{job=\"" + JOB + "\"}");
    }

    @Test
    @Order(1)
    void theCountersMoveByExactlyTheRequestsSentAndRedisUpGoesOneZeroOne() throws Exception {
        // Ready as Knative's probe finds it, by asking again: on a cold JVM the first ping can miss
        // greeting.ready.timeout, and /ready then says so honestly.
        Readiness.await(Duration.ofSeconds(10));
        prometheus.awaitScrapeAfter(JOB, Instant.now());
        assertEquals(1.0, redisUp(), "Redis up before the outage");
        Map<String, Double> before = new HashMap<>();
        for (String outcome : List.of("counted", "unavailable", "refused")) {
            before.put(outcome, greetings(outcome));
        }
        double ok200 = requests("/greeting", 200);
        double notFound = requests("NOT_FOUND", 404);
        double bad400 = requests("/greeting", 400);

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
        prometheus.awaitScrapeAfter(JOB, Instant.now());
        assertEquals(before.get("counted") + 7, greetings("counted"), "counted");
        assertEquals(before.get("refused") + 6, greetings("refused"), "refused");
        assertEquals(bad400 + 4, requests("/greeting", 400), "HTTP 400s on /greeting");
        assertEquals(before.get("unavailable"), greetings("unavailable"), "unavailable");
        assertEquals(ok200 + 7, requests("/greeting", 200), "HTTP 200s on /greeting");
        assertEquals(notFound + 3, requests("NOT_FOUND", 404), "HTTP 404s, under one uri label");

        RedisTestResource.redis().kill();
        given().header("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01").queryParam("name", CALLER)
                .get(app.resolve("/greeting")).then().statusCode(200).body("count", nullValue());
        for (int i = 0; i < 3; i++) {
            given().get(app.resolve("/greeting")).then().statusCode(200).body("count", nullValue());
        }
        prometheus.awaitScrapeAfter(JOB, Instant.now());
        assertEquals(before.get("unavailable") + 4, greetings("unavailable"), "unavailable during the outage");
        assertEquals(0.0, redisUp(), "Redis up during the outage");
        assertEquals(before.get("counted") + 7, greetings("counted"), "counted during the outage");
        awaitAlert("GreetingRedisUnreachable", "pending");

        RedisTestResource.restart();
        given().get(app.resolve("/ready")).then().statusCode(200);
        prometheus.awaitScrapeAfter(JOB, Instant.now());
        assertEquals(1.0, redisUp(), "Redis up after the outage");
    }

    /**
     * Every expression of the dashboard and of the alert rules parses and returns data. An
     * alert's comparisons with a number are asked with "bool", which answers 0 or 1 for every
     * series instead of dropping those below the threshold.
     */
    @Test
    @Order(2)
    void everyDashboardAndAlertExpressionReturnsData() throws Exception {
        given().queryParam("name", CALLER).get(app.resolve("/greeting")).then().statusCode(200);
        prometheus.awaitScrapeAfter(JOB, Instant.now());
        Map<String, String> expressions = new LinkedHashMap<>();
        for (JsonNode panel : JSON.readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.put(panel.path("title").asText() + " " + target.path("refId").asText(),
                        target.path("expr").asText()
                                .replace("$namespace", NAMESPACE)
                                .replace("$__rate_interval", "1m")
                                .replace("$__range", "5m"));
            }
        }
        for (AlertRules.Rule rule : AlertRules.rules()) {
            expressions.put(rule.name(), Pattern.compile("\\s(==|!=|>=|<=|>|<)\\s+(?=[0-9])").matcher(rule.expr())
                    .replaceAll(" $1 bool "));
        }
        List<String> empty = new ArrayList<>();
        expressions.forEach((name, expr) -> {
            if (prometheus.query(expr).isEmpty()) {
                empty.add(name + ": " + expr);
            }
        });
        assertEquals(List.of(), empty, "expressions that returned no data");
        for (JsonNode group : prometheus.api("/api/v1/rules").path("data").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertEquals("ok", rule.path("health").asText(), rule.toString());
            }
        }
        // The recorded Knative sample has requests waiting on a revision with no ready pod.
        awaitAlert("GreetingNoReadyPodWhileRequestsQueue", "pending");
    }

    /** Label values come from fixed sets: nothing a caller sent becomes a label. */
    @Test
    @Order(3)
    void labelsHoldOnlyFixedValues() {
        Set<String> uris = new TreeSet<>();
        prometheus.query("group by (uri) (http_server_requests_seconds_count{job=\"" + JOB + "\"})")
                .forEach(s -> uris.add(s.path("metric").path("uri").asText()));
        assertEquals(new TreeSet<>(List.of("/greeting", "/ready", "NOT_FOUND")), uris);
        Set<String> outcomes = new TreeSet<>();
        prometheus.query("greetings_total{job=\"" + JOB + "\"}").forEach(s -> outcomes.add(s.path("metric").path("outcome").asText()));
        assertEquals(new TreeSet<>(List.of("counted", "refused", "unavailable")), outcomes);
    }

    /** JSON lines with the fields log pipelines read; the trace id of the request that found Redis down. */
    @Test
    @Order(4)
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
    @Order(5)
    void noSecretAndNoCallerNameInLogsOrMetrics() {
        String metrics = given().get(app.resolve("/q/metrics")).then().statusCode(200).extract().asString();
        String log = AppLog.all();
        assertTrue(metrics.contains("greetings_total") && log.contains("Redis is DOWN"), "looked at real output");
        for (String secret : List.of(PasswordRedisTestResource.PASSWORD, "Zebulon", "Quartermaine")) {
            assertFalse(metrics.contains(secret), secret + " is in /q/metrics");
            assertFalse(log.contains(secret), secret + " is in the log");
        }
        assertFalse(prometheus.api("/api/v1/label/__name__/values").toString().contains("Zebulon"),
                "a metric name holds the caller's name");
    }

    private void awaitAlert(String name, String state) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(15);
        JsonNode alerts = null;
        while (Instant.now().isBefore(deadline)) {
            alerts = prometheus.api("/api/v1/alerts").path("data").path("alerts");
            for (JsonNode alert : alerts) {
                if (name.equals(alert.path("labels").path("alertname").asText()) && state.equals(alert.path("state").asText())) {
                    return;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError(name + " never became " + state + " within 15 s; alerts: " + alerts);
    }
}
