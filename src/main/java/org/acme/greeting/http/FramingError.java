package org.acme.greeting.http;

import io.netty.handler.codec.DecoderException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * A request whose message framing or Host breaks RFC 9112, as Vert.x and Netty report it: answered
 * 400, and the connection closed, since where the next request would start is in doubt.
 * <ul>
 * <li>Vert.x Web fails a request with no Host, or one that is not a valid host[:port], with
 * status 400 and a plain VertxException (RoutingContextImpl.route; RFC 9112 section 3.2).</li>
 * <li>Netty's HttpObjectDecoder fails a body whose chunk size is not hex, or whose chunk is not
 * ended by CRLF (RFC 9112 section 7.1); Vert.x's body handler passes that on as the failure.</li>
 * </ul>
 */
record FramingError(String message) {

    private static final String DECODER = "io.netty.handler.codec.http.HttpObjectDecoder";

    /** The framing error ctx failed with, or null when it failed for another reason. */
    static FramingError of(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure == null || failure instanceof HttpException) {
            return null;
        }
        if (fromTheDecoder(failure)) {
            return new FramingError("the request body's chunked framing is broken (RFC 9112 section 7.1); the connection is closed");
        }
        if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            // Vert.x chose a client error; its message names a header, never the caller's data.
            String vertx = String.valueOf(failure.getMessage());
            return new FramingError(vertx.contains("Host") || vertx.contains(":authority")
                    ? "the request needs exactly one Host header with a valid host and optional port (RFC 9112 section 3.2)"
                    : "bad request");
        }
        return null;
    }

    private static boolean fromTheDecoder(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DecoderException) {
                return true;
            }
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().equals(DECODER)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** HTTP/1.x only: HTTP/2 forbids a Connection header, and its streams share the connection. */
    void closeAfterAnswer(RoutingContext ctx) {
        if (ctx.request().version() != HttpVersion.HTTP_2) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
    }
}
