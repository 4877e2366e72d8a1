package org.acme.greeting.http;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.acme.greeting.InvalidInputException;

import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a POST body that does not say it is JSON in UTF-8 with 415. Funqy parses any body as
 * JSON whatever its Content-Type, so a form post or a text/plain body would otherwise be
 * answered as if it were JSON. A POST without a body needs no Content-Type.
 */
@ApplicationScoped
public class JsonContentType {

    void install(@Observes Router router) {
        // Before Quarkus' body handler, so a refused body is never buffered.
        router.post().order(RouteConstants.ROUTE_ORDER_HEADERS).handler(this::check);
    }

    void check(RoutingContext ctx) {
        String problem = problem(ctx.request());
        if (problem == null) {
            ctx.next();
        } else {
            ctx.fail(new InvalidInputException(415, problem));
        }
    }

    /** What is wrong with the request's Content-Type, or null when it is fine. */
    static String problem(HttpServerRequest request) {
        String header = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (header == null) {
            return hasBody(request) ? "Content-Type is missing; send application/json" : null;
        }
        String[] parts = header.toLowerCase(Locale.ROOT).split(";");
        String mediaType = parts[0].strip();
        if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
            return "Content-Type must be application/json, got " + printable(mediaType);
        }
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter[0].strip().equals("charset") && parameter.length == 2
                    && !parameter[1].strip().replace("\"", "").equals("utf-8")) {
                return "JSON must be encoded in UTF-8, got charset " + printable(parameter[1].strip());
            }
        }
        return null;
    }

    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null
                || length != null && !length.strip().equals("0");
    }

    /** The caller's text, cut short, with anything that is not part of a plain media type masked. */
    private static String printable(String text) {
        String cut = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return cut.replaceAll("[^A-Za-z0-9/+.*-]", "?");
    }
}
