package org.acme.greeting.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;

/**
 * Headers on every answer, errors included: each one is fresh (a count) and JSON, so no cache
 * may keep it and no browser may guess another type. Not quarkus.http.header: that route does
 * not run for a request refused before it (an oversized body, a wrong Content-Type), whose JSON
 * error {@link JsonErrors} writes; both call this.
 */
@ApplicationScoped
public class ResponseHeaders {

    static void addTo(HttpServerResponse response) {
        response.headers()
                .set("Cache-Control", "no-store")
                .set("X-Content-Type-Options", "nosniff");
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_HEADERS).handler(ctx -> {
            addTo(ctx.response());
            ctx.next();
        });
    }
}
