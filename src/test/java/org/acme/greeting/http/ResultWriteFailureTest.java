package org.acme.greeting.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.RedisTestResource;
import org.acme.greeting.support.UnwritableResultFunction;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Funqy answers both a request it cannot read and a result it cannot write with 400. A result we
 * cannot write is our bug: a 500, logged once at ERROR with its stack trace. A caller's unreadable
 * input is the caller's: a 400, and nothing in the log above DEBUG.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class ResultWriteFailureTest {

    @Test
    void aResultThatCannotBeWrittenIsA500LoggedOnceWithItsStackTrace() {
        long mark = AppLog.mark();
        String body = given().get("/" + UnwritableResultFunction.ROUTE).then()
                .statusCode(500)
                .contentType(ContentType.JSON)
                .extract().asString();
        assertEquals("{\"error\":\"internal error\"}", body, "the body says nothing more");

        String logged = AppLog.since(mark);
        List<String> errors = logged.lines().filter(line -> line.matches(".*\\sERROR\\s+\\[.*")).toList();
        assertEquals(1, errors.size(), "one ERROR line:\n" + logged);
        assertTrue(logged.contains(UnwritableResultFunction.DETAIL) && logged.contains("\tat "),
                "the log has the cause and its stack trace:\n" + logged);
    }

    @Test
    void unreadableInputIsA400AndLogsNothingAboveDebug() {
        long mark = AppLog.mark();
        given().contentType(ContentType.JSON).body("{\"name\":").post("/greeting").then()
                .statusCode(400).body("error", containsString("malformed JSON"));
        given().contentType(ContentType.JSON).body("{\"name\":5}").post("/greeting").then().statusCode(400);
        given().put("/greeting").then().statusCode(405);

        String logged = AppLog.since(mark);
        assertFalse(logged.contains("Failed to unmarshal") || logged.contains("Must be POST or GET"), logged);
        assertTrue(logged.lines().noneMatch(line -> line.matches(".*\\s(ERROR|WARN|INFO)\\s+\\[.*")), "logged:\n" + logged);
        assertFalse(logged.contains("\tat "), "no stack trace:\n" + logged);
    }
}
