package org.acme.greeting.http;

import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.acme.greeting.InvalidInputException;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The RFC 9112 rules for a request's head that neither Vert.x nor Netty enforces: each is answered
 * 400 and the connection closed, before anything reads the authority or the body. Vert.x Web
 * itself refuses a missing or invalid Host (RoutingContextImpl, status 400: see FramingError),
 * and Netty a bad request line or header.
 * <ul>
 * <li>More than one Host header (section 3.2). Vert.x takes the first; a proxy in front that
 * takes the other would route by another host than ours.</li>
 * <li>A Transfer-Encoding whose last coding is not chunked (section 6.3, rule 4): the body's length
 * cannot be known, so neither can where the next request starts.</li>
 * </ul>
 */
@ApplicationScoped
public class RequestFraming {

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    void check(RoutingContext ctx) {
        String problem = problem(ctx);
        if (problem != null) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            ctx.fail(new InvalidInputException(problem));
            return;
        }
        ctx.next();
    }

    private static String problem(RoutingContext ctx) {
        if (ctx.request().version() == null) {
            return "the request line's protocol is not HTTP/1.0 or HTTP/1.1";
        }
        if (ctx.request().version() == HttpVersion.HTTP_2) {
            return null;
        }
        if (ctx.request().headers().getAll(HttpHeaders.HOST).size() > 1) {
            return "the request has more than one Host header; send exactly one";
        }
        List<String> encodings = ctx.request().headers().getAll(HttpHeaders.TRANSFER_ENCODING);
        if (!encodings.isEmpty()) {
            String all = String.join(",", encodings);
            String last = all.substring(all.lastIndexOf(',') + 1).trim().toLowerCase(Locale.ROOT);
            if (!last.equals("chunked")) {
                return "the request's Transfer-Encoding does not end with chunked, so its length cannot be known";
            }
        }
        return null;
    }
}
