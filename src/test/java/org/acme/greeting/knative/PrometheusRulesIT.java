package org.acme.greeting.knative;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.acme.greeting.support.AlertRules;
import org.acme.greeting.support.AsAPod;
import org.acme.greeting.support.PasswordRedisTestResource;
import org.acme.greeting.support.PrometheusServer;
import org.acme.greeting.support.Readiness;
import org.acme.greeting.support.RedisTestResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/**
 * knative/observability's alert rules and dashboard against the packaged application as
 * production runs it: a real Prometheus (Debian's prometheus) scrapes it with the PodMonitor's
 * relabelings and evaluates the rules. A second target serves Knative Serving 1.20's activator and
 * autoscaler metrics as recorded text (src/test/resources/prometheus/knative-serving-1.20.prom):
 * no cluster here, so those are realistic samples, named and labelled as its source writes them.
 * ObservabilityIT (metrics package) checks the counts and logs themselves with nothing but a JDK.
 */
@Tag("tools")
@QuarkusIntegrationTest
@TestProfile(AsAPod.class)
@WithTestResource(PasswordRedisTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusRulesIT {

    private static final String REVISION = AsAPod.REVISION;
    private static final String NAMESPACE = "greeting-it";
    private static final String JOB = NAMESPACE + "/greeting";
    /** A caller's name: it may be in a greeting's body, never in a log line or a metric. */
    private static final String CALLER = "Zebulon Quartermaine";
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

    /** Redis down: the gauge goes 0 in Prometheus and the Redis alert starts pending; back up, 1 again. */
    @Test
    @Order(1)
    void aRedisOutageShowsInPrometheusAndStartsTheRedisAlert() throws Exception {
        Readiness.await(Duration.ofSeconds(10));
        given().queryParam("name", CALLER).get(app.resolve("/greeting")).then().statusCode(200);
        prometheus.awaitScrapeAfter(JOB, Instant.now());
        assertEquals(1.0, redisUp(), "Redis up before the outage");
        double unavailable = greetings("unavailable");

        RedisTestResource.redis().kill();
        for (int i = 0; i < 4; i++) {
            given().get(app.resolve("/greeting")).then().statusCode(200).body("count", nullValue());
        }
        prometheus.awaitScrapeAfter(JOB, Instant.now());
        assertEquals(unavailable + 4, greetings("unavailable"), "unavailable during the outage");
        assertEquals(0.0, redisUp(), "Redis up during the outage");
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

    private void awaitAlert(String name, String state) {
        Awaitility.await(name + " to be " + state).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    for (JsonNode alert : prometheus.api("/api/v1/alerts").path("data").path("alerts")) {
                        if (name.equals(alert.path("labels").path("alertname").asText()) && state.equals(alert.path("state").asText())) {
                            return true;
                        }
                    }
                    return false;
                });
    }
}
