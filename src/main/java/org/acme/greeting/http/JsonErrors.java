package org.acme.greeting.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.acme.greeting.InvalidInputException;
import org.acme.greeting.metrics.GreetingMetrics;
import org.acme.greeting.metrics.GreetingMetrics.Outcome;
import org.jboss.logging.Logger;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * The one place where failed requests become responses: a JSON body {"error": "..."} that names
 * the problem, the matching status, and never a stack trace. A caller's mistake is logged at DEBUG
 * (the metrics count it); only our own failures, answered 500, are logged at ERROR.
 */
@ApplicationScoped
public class JsonErrors {

    private static final Logger LOG = Logger.getLogger(JsonErrors.class);
    private static final String GREETING_PATH = "/greeting";

    private final RequestBodyDiagnosis bodyDiagnosis;
    private final GreetingMetrics metrics;

    JsonErrors(RequestBodyDiagnosis bodyDiagnosis, GreetingMetrics metrics) {
        this.bodyDiagnosis = bodyDiagnosis;
        this.metrics = metrics;
    }

    void install(@Observes Router router) {
        // Before Quarkus' own failure handler, which renders HTML and, in dev mode, stack traces.
        router.route().order(Integer.MIN_VALUE).failureHandler(this::respond);
        // Paths no function or Quarkus endpoint claims; without this Quarkus answers them in HTML.
        router.route().order(Integer.MAX_VALUE).handler(ctx -> ctx.fail(404));
    }

    void respond(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof HttpClosedException || ctx.response().closed()) {
            // The client went away (mid-body, or after a framing error closed the connection).
            LOG.debugf("Request %s %s: the connection closed before an answer", ctx.request().method(), ctx.request().path());
            return;
        }
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        InvalidInputException invalidInput = invalidInput(failure);
        FramingError framing = invalidInput == null ? FramingError.of(ctx) : null;
        int status;
        String message;
        if (framing != null) {
            status = 400;
            message = framing.message();
            framing.closeAfterAnswer(ctx);
            LOG.debugf("Request %s %s refused: %s (%s)", ctx.request().method(), ctx.request().path(), message, failure);
        } else if (invalidInput != null) {
            status = invalidInput.status();
            message = invalidInput.getMessage();
        } else if (failure == null && ctx.statusCode() == 400 && funqyFailedToWriteTheResult(ctx)) {
            // Ours, not the caller's: Funqy has logged it at ERROR with its stack trace.
            status = 500;
            message = "internal error";
        } else if (failure == null || failure instanceof HttpException) {
            status = failure == null ? ctx.statusCode() : ((HttpException) failure).getStatusCode();
            message = explain(status, ctx);
        } else {
            status = 500;
            message = "internal error";
            LOG.errorf(failure, "Request %s %s failed", ctx.request().method(), ctx.normalizedPath());
        }
        if (status >= 400 && status < 500 && GREETING_PATH.equals(ctx.normalizedPath())) {
            metrics.greeted(Outcome.REFUSED);
        }
        if (status >= 400 && status < 500 && framing == null) {
            LOG.debugf("Request %s %s refused with %d: %s", ctx.request().method(), ctx.request().path(), status, message);
        }
        if (status == 405) {
            ctx.response().putHeader(HttpHeaders.ALLOW, "GET, POST");
        }
        ResponseHeaders.addTo(ctx.response());
        // A guard or a framing error that leaves the connection in doubt asks for it to be closed.
        boolean close = HttpHeaders.CLOSE.toString().equalsIgnoreCase(ctx.response().headers().get(HttpHeaders.CONNECTION));
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("error", message).encode())
                .onComplete(written -> {
                    if (close) {
                        ctx.request().connection().close();
                    }
                });
        flushNow(ctx);
    }

    /**
     * A write made while Vert.x is still reading the request is flushed only once the read ends.
     * When the rest of what it read breaks the framing (a bad chunk after a refused head, say),
     * Vert.x closes the connection first and the answer is dropped unsent: the client sees a
     * close and nothing else. So the answer is flushed now, through the connection's Netty
     * channel (Vert.x internals: no public API flushes a response).
     */
    private static void flushNow(RoutingContext ctx) {
        if (ctx.request().connection() instanceof ConnectionBase connection) {
            connection.channel().flush();
        }
    }

    /**
     * Funqy 3.34 (VertxRequestHandler) answers both a request it cannot bind and a result it cannot
     * write with a bare fail(400). Only for the result has it already set the response's
     * Content-Type, which nothing else does before this handler: that tells the two apart.
     */
    private static boolean funqyFailedToWriteTheResult(RoutingContext ctx) {
        return ctx.response().headers().contains(HttpHeaders.CONTENT_TYPE);
    }

    /** Funqy wraps what a function throws in its own ApplicationException. */
    private static InvalidInputException invalidInput(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidInputException invalid) {
                return invalid;
            }
        }
        return null;
    }

    private String explain(int status, RoutingContext ctx) {
        return switch (status) {
            case 400 -> ctx.request().method() == HttpMethod.POST
                    ? bodyDiagnosis.explain(ctx.body().buffer())
                    : "query parameters do not fit this function; greeting takes only 'name'";
            case 404 -> "no such function; the functions are /greeting, /health and /ready";
            case 405 -> "method " + ctx.request().method().name() + " is not allowed; use GET or POST";
            case 413 -> "request body is too large";
            default -> status >= 500 ? "internal error" : "bad request";
        };
    }
}
