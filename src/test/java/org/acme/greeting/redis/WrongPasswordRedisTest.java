package org.acme.greeting.redis;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.PasswordRedisTestResource;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** A Redis that refuses our password: the service degrades, reports not ready, and leaks neither password. */
@QuarkusTest
@TestProfile(WrongPasswordRedisTest.WrongPassword.class)
@WithTestResource(PasswordRedisTestResource.class)
class WrongPasswordRedisTest {

    static final String WRONG_PASSWORD = "wrong-Pw-0d1e5a93";

    public static class WrongPassword implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return PasswordRedisTestResource.withVerboseRedisLogging(Map.of("REDIS_PASSWORD", WRONG_PASSWORD));
        }
    }

    @Test
    void greetingDegradesAndReadyIs503() {
        given().queryParam("name", "Ada").get("/greeting").then()
                .statusCode(200)
                .body("message", equalTo("Hello, Ada!"))
                .body("count", nullValue())
                .body("counter", equalTo("unavailable"))
                .body(not(containsString(WRONG_PASSWORD)));
        given().get("/ready").then()
                .statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.redis", equalTo("DOWN"));

        String log = AppLog.all();
        assertTrue(log.contains("Redis is DOWN"), "the refusal was logged");
        assertFalse(log.contains(WRONG_PASSWORD), "the configured password is in the log");
        assertFalse(log.contains(PasswordRedisTestResource.PASSWORD), "the server's password is in the log");
    }
}
