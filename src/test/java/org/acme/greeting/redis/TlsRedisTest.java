package org.acme.greeting.redis;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.PasswordRedisTestResource;
import org.acme.greeting.support.TlsRedisTestResource;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** rediss:// to a redis-server that speaks only TLS, trusted through REDIS_CA_FILE (profile redis-tls). */
@QuarkusTest
@TestProfile(TlsRedisTest.RedisTls.class)
@WithTestResource(TlsRedisTestResource.class)
class TlsRedisTest {

    /** The application's redis-tls profile on top of the test profile; UntrustedTlsRedisTest shares it. */
    public static class RedisTls implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "test,redis-tls";
        }
    }

    @Test
    void countsOverTls() {
        long first = given().get("/greeting").then()
                .statusCode(200)
                .body("counter", equalTo("ok"))
                .extract().jsonPath().getLong("count");
        long second = given().get("/greeting").then()
                .statusCode(200)
                .extract().jsonPath().getLong("count");
        assertEquals(first + 1, second);
        given().get("/ready").then()
                .statusCode(200)
                .body("checks.redis", equalTo("UP"));
        assertFalse(AppLog.all().contains(PasswordRedisTestResource.PASSWORD), "the password is in the log");
    }
}
