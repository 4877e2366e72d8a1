package org.acme.greeting.redis;

import org.acme.greeting.GreetingConfig;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.Readiness;
import org.acme.greeting.support.RedisTestResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Redis stopped, killed or frozen under a running application, then back. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class RedisOutageTest {

    /** Slack on top of the configured bound for the HTTP round trip on a busy 2-core machine. */
    private static final Duration SLACK = Duration.ofMillis(400);

    @Inject
    GreetingConfig config;

    @AfterEach
    void redisIsBack() {
        RedisTestResource.bringBack();
    }

    @Test
    void whileRedisIsDownGreetingsDegradeAndReadyIs503ThenBothRecoverWithTheCountKept() {
        long last = countedGreeting();
        long mark = AppLog.mark();

        RedisTestResource.redis().kill();

        for (int i = 0; i < 5; i++) {
            degradedGreetingWithin(config.counter().timeout());
        }
        notReadyWithin(config.ready().timeout());

        RedisTestResource.restart();
        awaitReady();
        assertEquals(last + 1, countedGreeting(), "the count continues from what Redis kept");

        String logged = AppLog.since(mark);
        assertEquals(1, occurrences(logged, "Redis is DOWN"), "one line for the outage:\n" + logged);
        assertEquals(1, occurrences(logged, "Redis is UP again"), "one line for the recovery:\n" + logged);
    }

    @Test
    void whileRedisHangsGreetingsAnswerWithinTheBoundAndReadyIs503() {
        long last = countedGreeting();

        RedisTestResource.redis().freeze();
        for (int i = 0; i < 3; i++) {
            degradedGreetingWithin(config.counter().timeout());
        }
        notReadyWithin(config.ready().timeout());

        RedisTestResource.redis().thaw();
        awaitReady();
        // INCRs that timed out were still applied once Redis woke: never lost, never retried.
        assertTrue(countedGreeting() > last);
    }

    private static long countedGreeting() {
        return given().get("/greeting").then()
                .statusCode(200)
                .body("counter", equalTo("ok"))
                .extract().jsonPath().getLong("count");
    }

    private static void degradedGreetingWithin(Duration bound) {
        long start = System.nanoTime();
        Response response = given().queryParam("name", "Ada").get("/greeting");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        response.then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("message", equalTo("Hello, Ada!"))
                .body("count", nullValue())
                .body("counter", equalTo("unavailable"));
        assertTrue(took.compareTo(bound.plus(SLACK)) <= 0, "greeting took " + took + ", bound " + bound);
    }

    private static void notReadyWithin(Duration bound) {
        long start = System.nanoTime();
        Response response = given().get("/ready");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        response.then()
                .statusCode(503)
                .contentType(ContentType.JSON)
                .body("status", equalTo("DOWN"))
                .body("checks.redis", equalTo("DOWN"));
        assertTrue(took.compareTo(bound.plus(SLACK)) <= 0, "ready took " + took + ", bound " + bound);
    }

    private static void awaitReady() {
        Readiness.await(Duration.ofSeconds(10));
    }

    private static int occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }
}
