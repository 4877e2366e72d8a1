package org.acme.greeting.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.acme.greeting.InvalidInputException;

import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a request target with raw bytes outside printable ASCII. The HTTP codec reads them as
 * ISO-8859-1, so raw UTF-8 (or invalid UTF-8) in a query would reach the function as other
 * letters than the caller meant; percent-encoded UTF-8 is the only way to send them.
 */
@ApplicationScoped
public class AsciiRequestTarget {

    void install(@Observes Router router) {
        // Before Quarkus' body handler: nothing of a refused request is read.
        router.route().order(RouteConstants.ROUTE_ORDER_HEADERS).handler(this::check);
    }

    void check(RoutingContext ctx) {
        String target = ctx.request().uri();
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c > '~') {
                ctx.fail(new InvalidInputException(String.format(
                        "the request target has a raw byte 0x%02X at position %d; percent-encode it as UTF-8",
                        (int) c & 0xFF, i + 1)));
                return;
            }
        }
        ctx.next();
    }
}
