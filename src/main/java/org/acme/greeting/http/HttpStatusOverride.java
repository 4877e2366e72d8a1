package org.acme.greeting.http;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Lets a Funqy function answer with a status other than 200, which Funqy has no API for.
 * Funqy sets 200 just before it writes the body, so the override is applied when the headers
 * are sent, after Funqy's own status.
 */
@ApplicationScoped
public class HttpStatusOverride {

    /** Sets the status of the request it was taken for; may be called from any thread. */
    @FunctionalInterface
    public interface Setter {
        void status(int code);
    }

    private final CurrentVertxRequest currentRequest;

    HttpStatusOverride(CurrentVertxRequest currentRequest) {
        this.currentRequest = currentRequest;
    }

    /** Must be called on the thread that invokes the function, while its request is current. */
    public Setter forCurrentRequest() {
        RoutingContext rc = currentRequest.getCurrent();
        return code -> rc.addHeadersEndHandler(v -> rc.response().setStatusCode(code));
    }
}
