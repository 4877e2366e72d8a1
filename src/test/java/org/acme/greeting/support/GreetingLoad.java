package org.acme.greeting.support;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * Clients that call GET /greeting back to back, each on its own keep-alive connection, until
 * stopped; every reply is recorded with its start and end time. Stopping closes every
 * connection at once, on any JDK (JDK 17's java.net.http client cannot be closed, so its
 * connections, and the application's ends of them, lingered until a GC).
 */
public final class GreetingLoad implements AutoCloseable {

    /** One answer: times from System.nanoTime(); count is null when the reply had none. */
    public record Reply(long start, long end, int status, Long count) {
        public Duration took() {
            return Duration.ofNanos(end - start);
        }
    }

    private final Queue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final Queue<String> transportErrors = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch clientsDone;
    private final TestVertx vertx = TestVertx.start();
    private final HttpClient http;
    private final RequestOptions request;

    private GreetingLoad(URI greeting, int concurrency) {
        clientsDone = new CountDownLatch(concurrency);
        http = vertx.get().createHttpClient(new HttpClientOptions().setConnectTimeout(5_000).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(concurrency));
        request = new RequestOptions().setMethod(HttpMethod.GET).setHost(greeting.getHost())
                .setPort(greeting.getPort()).setURI(greeting.getRawPath()).setIdleTimeout(30_000);
        for (int i = 0; i < concurrency; i++) {
            next();
        }
    }

    /** Starts {@code concurrency} clients calling the given greeting URL. */
    public static GreetingLoad start(URI greeting, int concurrency) {
        return new GreetingLoad(greeting, concurrency);
    }

    /** One call; when it is answered, the same client makes the next, until stopped. */
    private void next() {
        if (!running.get()) {
            clientsDone.countDown();
            return;
        }
        long start = System.nanoTime();
        http.request(request)
                .compose(req -> req.send().compose(response -> response.body().map(body -> {
                    Long count = response.statusCode() == 200 ? new JsonObject(body).getLong("count") : null;
                    return new Reply(start, System.nanoTime(), response.statusCode(), count);
                })))
                .onComplete(result -> {
                    if (result.succeeded()) {
                        replies.add(result.result());
                    } else {
                        transportErrors.add(result.cause().toString());
                    }
                    next();
                });
    }

    /** Stops the clients, lets the calls in flight finish, closes every connection and returns every reply. */
    public List<Reply> stop() {
        running.set(false);
        try {
            if (!clientsDone.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("load clients did not stop within 60 s");
            }
            http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("closing the load clients failed", e);
        } finally {
            vertx.close();
        }
        return new ArrayList<>(replies);
    }

    /** Calls that got no HTTP answer at all (refused, reset, timed out). */
    public List<String> transportErrors() {
        return new ArrayList<>(transportErrors);
    }

    @Override
    public void close() {
        if (running.get()) {
            stop();
        }
    }
}
