package org.acme.greeting.support;

import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/** A Vert.x instance of the test's own, for its HTTP and Redis clients, closed synchronously. */
public final class TestVertx implements AutoCloseable {

    private final Vertx vertx;

    private TestVertx(Vertx vertx) {
        this.vertx = vertx;
    }

    public static TestVertx start() {
        return new TestVertx(Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2)));
    }

    public Vertx get() {
        return vertx;
    }

    /** Closes Vert.x, and with it every client and connection it opened. */
    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("Vert.x did not close", e);
        }
    }
}
