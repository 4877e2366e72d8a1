package org.acme.greeting.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.FailingFunction;
import org.acme.greeting.support.RedisTestResource;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** A failure nobody planned for: 500 with a bare JSON error, the stack trace in the log only. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class UnexpectedFailureTest {

    @Test
    void anUnexpectedFailureIsA500JsonErrorWithNoDetailAndIsLoggedWithItsStackTrace() {
        long mark = AppLog.mark();
        String body = given().get("/" + FailingFunction.ROUTE).then()
                .statusCode(500)
                .contentType(ContentType.JSON)
                .header("Cache-Control", "no-store")
                .extract().asString();
        assertTrue(body.equals("{\"error\":\"internal error\"}"), "the body says nothing more: " + body);

        String logged = AppLog.since(mark);
        assertTrue(logged.contains("ERROR") && logged.contains("Request GET /" + FailingFunction.ROUTE + " failed"), logged);
        assertTrue(logged.contains(FailingFunction.DETAIL) && logged.contains("\tat "), "the log has the cause and its stack trace:\n" + logged);

        given().queryParam("name", "Ada").get("/greeting").then()
                .statusCode(200)
                .body("counter", equalTo("ok"));
    }
}
