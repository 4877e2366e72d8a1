package org.acme.greeting.redis;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.PasswordRedisTestResource;
import org.acme.greeting.support.TlsRedisTestResource;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The same TLS Redis, but REDIS_CA_FILE holds a CA that did not sign its certificate: the client
 * must refuse the server, so the password is never sent, and the service degrades as in an outage.
 */
@QuarkusTest
@TestProfile(TlsRedisTest.RedisTls.class)
@WithTestResource(value = TlsRedisTestResource.class,
        initArgs = @ResourceArg(name = TlsRedisTestResource.CA_ARG, value = "untrusted"))
class UntrustedTlsRedisTest {

    @Test
    void aServerCertificateFromAnotherCaIsRefused() {
        long mark = AppLog.mark();
        given().get("/greeting").then()
                .statusCode(200)
                .body("count", nullValue())
                .body("counter", equalTo("unavailable"));
        given().get("/ready").then()
                .statusCode(503)
                .body("checks.redis", equalTo("DOWN"));
        String log = AppLog.since(mark);
        assertTrue(log.contains("Redis is DOWN: SunCertPathBuilderException: unable to find valid certification path"),
                "the outage is put down to the certificate:\n" + log);
        assertFalse(AppLog.all().contains(PasswordRedisTestResource.PASSWORD), "the password is in the log");
    }
}
