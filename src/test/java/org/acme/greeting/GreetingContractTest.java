package org.acme.greeting;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.acme.greeting.support.RedisTestResource;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** The HTTP contract, field by field. Also run against the packaged jar by GreetingContractIT. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class GreetingContractTest {

    private static final Set<String> GREETING_FIELDS = Set.of("message", "count", "counter", "environment", "revision");

    @Test
    void getWithoutNameGreetsTheDefaultName() {
        okGreeting(given().get("/greeting"))
                .body("message", equalTo("Hello, World!"));
    }

    @Test
    void getWithNameGreetsThatName() {
        okGreeting(given().queryParam("name", "Ada").get("/greeting"))
                .body("message", equalTo("Hello, Ada!"));
    }

    @Test
    void postWithJsonNameGreetsThatName() {
        okGreeting(given().contentType(ContentType.JSON).body("{\"name\":\"Ada\"}").post("/greeting"))
                .body("message", equalTo("Hello, Ada!"));
    }

    @Test
    void postWithoutBodyOrNameGreetsTheDefaultName() {
        okGreeting(given().contentType(ContentType.JSON).post("/greeting"))
                .body("message", equalTo("Hello, World!"));
        okGreeting(given().contentType(ContentType.JSON).body("{}").post("/greeting"))
                .body("message", equalTo("Hello, World!"));
    }

    @Test
    void namesAreTrimmed() {
        okGreeting(given().queryParam("name", "  Grace Hopper ").get("/greeting"))
                .body("message", equalTo("Hello, Grace Hopper!"));
    }

    @Test
    void namesMayHoldLettersOfAnyScriptDigitsAndPunctuationOfNames() {
        okGreeting(given().contentType(ContentType.JSON)
                .body("{\"name\":\"Zoë O'Neil-Smith Jr. 3\"}").post("/greeting"))
                .body("message", equalTo("Hello, Zoë O'Neil-Smith Jr. 3!"));
        okGreeting(given().queryParam("name", "李小龍").get("/greeting"))
                .body("message", equalTo("Hello, 李小龍!"));
    }

    @Test
    void namesOfOneAndOfSixtyFourCharactersAreAccepted() {
        okGreeting(given().queryParam("name", "A").get("/greeting"))
                .body("message", equalTo("Hello, A!"));
        String longest = "a".repeat(64);
        okGreeting(given().queryParam("name", longest).get("/greeting"))
                .body("message", equalTo("Hello, " + longest + "!"));
    }

    @Test
    void everyGreetingCountsExactlyOneVisit() {
        long first = okGreeting(given().get("/greeting")).extract().jsonPath().getLong("count");
        long second = okGreeting(given().queryParam("name", "Ada").get("/greeting")).extract().jsonPath().getLong("count");
        long third = okGreeting(given().contentType(ContentType.JSON).body("{\"name\":\"Ada\"}").post("/greeting"))
                .extract().jsonPath().getLong("count");
        assertEquals(first + 1, second);
        assertEquals(second + 1, third);
    }

    @Test
    void greetingReportsEnvironmentAndRevisionDefaults() {
        okGreeting(given().get("/greeting"))
                .body("environment", equalTo("dev"))
                .body("revision", equalTo("local"));
    }

    @Test
    void healthIsUpAndSaysNothingElse() {
        given().get("/health").then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("status", equalTo("UP"))
                .body("checks", nullValue());
    }

    @Test
    void readyIsUpWithRedisUp() {
        given().get("/ready").then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("status", equalTo("UP"))
                .body("checks.redis", equalTo("UP"));
    }

    @Test
    void otherMethodsAre405WithAJsonError() {
        given().put("/greeting").then()
                .statusCode(405)
                .contentType(ContentType.JSON)
                .header("Allow", "GET, POST")
                .body("error", equalTo("method PUT is not allowed; use GET or POST"));
    }

    @Test
    void unknownPathsAre404WithAJsonError() {
        given().get("/no-such-function").then()
                .statusCode(404)
                .contentType(ContentType.JSON)
                .body("error", equalTo("no such function; the functions are /greeting, /health and /ready"));
    }

    private static ValidatableResponse okGreeting(io.restassured.response.Response response) {
        ValidatableResponse then = response.then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("counter", equalTo("ok"))
                .body("count", org.hamcrest.Matchers.instanceOf(Number.class));
        assertEquals(GREETING_FIELDS, then.extract().jsonPath().getMap("").keySet());
        return then;
    }
}
