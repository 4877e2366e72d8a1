package org.acme.greeting.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.RawHttp;
import org.acme.greeting.support.RawHttp.Exchange;
import org.acme.greeting.support.RedisTestResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * RFC 9112's rules for a request's Host and framing, sent as raw bytes: each broken one gets a 400
 * with our JSON error and the connection closed, never a 500 or silence; none is logged above
 * DEBUG (a caller's mistake is not our error); and the service keeps counting.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class RequestFramingTest {

    private static final Duration QUIET = Duration.ofSeconds(3);

    @TestHTTPResource("/")
    java.net.URL url;

    /** RFC 9112 section 3.2: an HTTP/1.1 request with no Host, or an invalid one, gets a 400. */
    @ParameterizedTest
    @ValueSource(strings = { "", "Host: ?name=x\r\n", "Host: a b\r\n", "Host: \u00ffhost\r\n", "Host: host:port\r\n" })
    void anHttp11RequestWithoutAValidHostIsRefused(String host) {
        refusedAndClosed("GET /greeting HTTP/1.1\r\n" + host + "\r\n",
                "the request needs exactly one Host header with a valid host and optional port (RFC 9112 section 3.2)");
    }

    /** RFC 9112 section 3.2: more than one Host gets a 400 (Vert.x would take the first). */
    @Test
    void twoHostHeadersAreRefused() {
        refusedAndClosed("GET /greeting HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n",
                "the request has more than one Host header; send exactly one");
    }

    /**
     * RFC 9112 section 2.3 and 3: a request line whose protocol is not HTTP/1.0 or HTTP/1.1 is one
     * Vert.x cannot read (it answered 200 and echoed the token back). A 400 and a close; the
     * status line still carries the token, as Vert.x writes it.
     */
    @ParameterizedTest
    @ValueSource(strings = { "HTTP/1.2", "HTTP/3.0", "FOO/1.1", "HTTP/0.9" })
    void aRequestLineWithAnotherProtocolIsRefused(String protocol) {
        refusedAndClosed("GET /greeting " + protocol + "\r\nHost: localhost\r\n\r\n",
                "the request line's protocol is not HTTP/1.0 or HTTP/1.1");
    }

    /** RFC 9112 section 3.2: HTTP/1.0 needs no Host. */
    @Test
    void anHttp10RequestNeedsNoHost() {
        Exchange exchange = RawHttp.exchange(url.getPort(), bytes("GET /greeting?name=Ada HTTP/1.0\r\n\r\n"), QUIET);
        assertEquals(1, exchange.responses().size(), exchange.toString());
        assertEquals(200, exchange.responses().get(0).status());
        assertEquals("Hello, Ada!", new JsonObject(exchange.responses().get(0).body()).getString("message"));
    }

    /**
     * RFC 9112 section 7.1 and 11.2: a chunk size that is not hex, or a chunk not ended by CRLF,
     * makes the message unreadable: a 400, then the connection closed (before, a close and no answer).
     */
    @ParameterizedTest
    @ValueSource(strings = { "zz\r\n{}\r\n0\r\n\r\n", "2\r\n{}XX0\r\n\r\n", "-1\r\n{}\r\n0\r\n\r\n" })
    void aBrokenChunkedBodyIsRefused(String body) {
        refusedAndClosed("POST /greeting HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + body,
                "the request body's chunked framing is broken (RFC 9112 section 7.1); the connection is closed");
    }

    /** RFC 9112 section 6.3, rule 4: a Transfer-Encoding not ending in chunked gets a 400 and a close. */
    @ParameterizedTest
    @ValueSource(strings = { "gzip", "chunked, gzip", "identity" })
    void aTransferEncodingThatDoesNotEndInChunkedIsRefused(String encoding) {
        refusedAndClosed("POST /greeting HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: " + encoding + "\r\n\r\n{}",
                "the request's Transfer-Encoding does not end with chunked, so its length cannot be known");
    }

    /** A client that goes away mid-body is not our error: nothing above DEBUG, and the next caller is served. */
    @Test
    void aClientThatLeavesMidBodyLeavesNoErrorInTheLog() throws Exception {
        long mark = AppLog.mark();
        for (String head : List.of("Content-Length: 50\r\n\r\n{\"name\":", "Transfer-Encoding: chunked\r\n\r\n9\r\n{\"name\":")) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", url.getPort())) {
                socket.getOutputStream().write(bytes("POST /greeting HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\n" + head));
                socket.getOutputStream().flush();
                Thread.sleep(200);
            }
        }
        greetingStillCounts();
        assertEquals("", AppLog.errorsAndWarningsSince(mark));
    }

    private void refusedAndClosed(String request, String error) {
        long mark = AppLog.mark();
        Exchange exchange = RawHttp.exchange(url.getPort(), bytes(request), QUIET);
        assertEquals(1, exchange.responses().size(), "one answer: " + exchange + " " + new String(exchange.rest(), StandardCharsets.ISO_8859_1));
        RawHttp.Response response = exchange.responses().get(0);
        assertEquals(400, response.status(), response.toString());
        assertEquals(error, new JsonObject(response.body()).getString("error"));
        assertEquals("application/json", response.headers().get("content-type"));
        assertEquals("close", response.headers().get("connection"));
        assertTrue(exchange.closed(), "the connection is closed after the answer");
        greetingStillCounts();
        assertEquals("", AppLog.errorsAndWarningsSince(mark));
    }

    private void greetingStillCounts() {
        Exchange first = RawHttp.exchange(url.getPort(), bytes("GET /greeting HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), QUIET);
        Exchange second = RawHttp.exchange(url.getPort(), bytes("GET /greeting HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), QUIET);
        long a = new JsonObject(first.responses().get(0).body()).getLong("count");
        long b = new JsonObject(second.responses().get(0).body()).getLong("count");
        assertTrue(b > a, "counts keep increasing: " + a + ", " + b);
    }

    private static byte[] bytes(String request) {
        return request.getBytes(StandardCharsets.ISO_8859_1);
    }
}
