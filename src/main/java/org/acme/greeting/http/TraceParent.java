package org.acme.greeting.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.MDC;

import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Puts the trace id of a W3C traceparent header (which Knative's queue-proxy passes on) into
 * the log context as traceId, so every line logged for that request can be joined with its
 * trace. Only a well-formed id is taken: the log must not carry arbitrary caller input.
 */
@ApplicationScoped
public class TraceParent {

    static final String MDC_KEY = "traceId";
    /** version-traceid-parentid-flags; an all-zero trace id is invalid (W3C Trace Context, 3.2). */
    private static final Pattern HEADER = Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}(-.*)?");
    private static final String INVALID_ID = "0".repeat(32);

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_HEADERS).handler(this::tag);
    }

    void tag(RoutingContext ctx) {
        String id = traceId(ctx.request().getHeader("traceparent"));
        if (id != null) {
            // Quarkus keeps the MDC in the request's Vert.x context, which the function's worker
            // thread and the Redis callbacks share; removed at the end in case it fell back to a
            // thread-local, which the next request on this event loop would otherwise inherit.
            MDC.put(MDC_KEY, id);
            ctx.addEndHandler(done -> MDC.remove(MDC_KEY));
        }
        ctx.next();
    }

    static String traceId(String header) {
        if (header == null) {
            return null;
        }
        Matcher m = HEADER.matcher(header);
        if (!m.matches() || header.startsWith("ff") || m.group(1).equals(INVALID_ID)) {
            return null;
        }
        return m.group(1);
    }
}
