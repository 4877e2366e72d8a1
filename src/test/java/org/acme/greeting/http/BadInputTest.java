package org.acme.greeting.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.util.stream.Stream;

import org.acme.greeting.support.RedisTestResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Bad names, bodies, methods and paths get a 4xx JSON error naming the problem, and the service
 * keeps serving. HostileInputTest sends the generated hostile ones as raw bytes.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class BadInputTest {

    @FunctionalInterface
    interface Call {
        Response send(RequestSpecification request);
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                // names, by query parameter
                bad("empty name", r -> r.queryParam("name", "").get("/greeting"), 400, "name must not be empty or blank"),
                bad("blank name", r -> r.queryParam("name", "   ").get("/greeting"), 400, "name must not be empty or blank"),
                bad("65 characters", r -> r.queryParam("name", "a".repeat(65)).get("/greeting"), 400,
                        "name must be at most 64 characters, got 65"),
                bad("1000 characters", r -> r.queryParam("name", "b".repeat(1000)).get("/greeting"), 400,
                        "name must be at most 64 characters, got 1000"),
                bad("semicolon", r -> r.queryParam("name", "Ada;DROP").get("/greeting"), 400, "U+003B at position 4"),
                bad("emoji", r -> r.queryParam("name", "Ada 😀").get("/greeting"), 400, "U+1F600 at position 5"),
                // names, by JSON body
                bad("json empty name", r -> json(r, "{\"name\":\"\"}"), 400, "name must not be empty or blank"),
                bad("json html name", r -> json(r, "{\"name\":\"<i>x</i>\"}"), 400, "U+003C at position 1"),
                bad("json long name", r -> json(r, "{\"name\":\"" + "c".repeat(65) + "\"}"), 400,
                        "name must be at most 64 characters, got 65"),
                // malformed JSON and wrong JSON types
                bad("truncated json", r -> json(r, "{\"name\":"), 400, "malformed JSON"),
                bad("not json", r -> json(r, "name=Ada"), 400, "malformed JSON"),
                bad("trailing comma", r -> json(r, "{\"name\":\"Ada\",}"), 400, "malformed JSON"),
                bad("name is a number", r -> json(r, "{\"name\":5}"), 400, "field 'name' must be a string, got number"),
                bad("name is a boolean", r -> json(r, "{\"name\":true}"), 400, "field 'name' must be a string, got boolean"),
                bad("name is an object", r -> json(r, "{\"name\":{\"first\":\"Ada\"}}"), 400,
                        "field 'name' must be a string, got object"),
                bad("name is an array", r -> json(r, "{\"name\":[\"Ada\"]}"), 400, "field 'name' must be a string, got array"),
                bad("body is an array", r -> json(r, "[\"Ada\"]"), 400, "request body must be a JSON object"),
                bad("body is a string", r -> json(r, "\"Ada\""), 400, "request body must be a JSON object"),
                // methods and paths
                bad("PUT", r -> r.put("/greeting"), 405, "method PUT is not allowed"),
                bad("DELETE", r -> r.delete("/greeting"), 405, "method DELETE is not allowed"),
                bad("PATCH", r -> r.patch("/ready"), 405, "method PATCH is not allowed"),
                bad("unknown path", r -> r.get("/greet"), 404, "no such function"),
                bad("nested path", r -> r.get("/greeting/extra"), 404, "no such function"),
                bad("root", r -> r.get("/"), 404, "no such function"));
    }

    private static Arguments bad(String description, Call call, int status, String error) {
        return Arguments.of(description, call, status, error);
    }

    private static Response json(RequestSpecification request, String body) {
        return request.contentType(ContentType.JSON).body(body).post("/greeting");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputGetsA4xxJsonErrorNamingTheProblem(String description, Call call, int status, String error) {
        call.send(given().urlEncodingEnabled(true)).then()
                .statusCode(status)
                .contentType(ContentType.JSON)
                .body("error", containsString(error))
                .body(not(containsString("Exception")))
                .body(not(containsString("\tat ")));
    }

    @AfterEach
    void serviceStillGreets() {
        given().queryParam("name", "Ada").get("/greeting").then()
                .statusCode(200)
                .body("message", equalTo("Hello, Ada!"))
                .body("counter", equalTo("ok"));
    }
}
