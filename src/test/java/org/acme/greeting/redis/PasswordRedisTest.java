package org.acme.greeting.redis;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
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

/**
 * A Redis with requirepass and the right REDIS_PASSWORD, configured as on a cluster: ENVIRONMENT
 * and K_REVISION set, and Redis client logging at its most verbose.
 */
@QuarkusTest
@TestProfile(PasswordRedisTest.RightPassword.class)
@WithTestResource(PasswordRedisTestResource.class)
class PasswordRedisTest {

    public static class RightPassword implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return PasswordRedisTestResource.withVerboseRedisLogging(Map.of(
                    "REDIS_PASSWORD", PasswordRedisTestResource.PASSWORD,
                    "ENVIRONMENT", "prod",
                    "K_REVISION", "greeting-00042"));
        }
    }

    @Test
    void countsWithTheRightPasswordAndReportsTheDeployment() {
        given().queryParam("name", "Ada").get("/greeting").then()
                .statusCode(200)
                .body("message", equalTo("Hello, Ada!"))
                .body("count", instanceOf(Number.class))
                .body("counter", equalTo("ok"))
                .body("environment", equalTo("prod"))
                .body("revision", equalTo("greeting-00042"))
                .body(not(containsString(PasswordRedisTestResource.PASSWORD)));
        given().get("/ready").then()
                .statusCode(200)
                .body("checks.redis", equalTo("UP"));

        String log = AppLog.all();
        assertTrue(log.contains("Redis is UP"), "the log was captured");
        assertFalse(log.contains(PasswordRedisTestResource.PASSWORD), "the password is in the log");
    }
}
