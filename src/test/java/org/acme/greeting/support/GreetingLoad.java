package org.acme.greeting.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.json.JsonObject;

/**
 * Clients that call GET /greeting back to back, each on its own thread and keep-alive
 * connection, until stopped; every reply is recorded with its start and end time.
 */
public final class GreetingLoad implements AutoCloseable {

    /** One answer: times from System.nanoTime(); count is null when the reply had none. */
    public record Reply(long start, long end, int status, Long count) {
        public Duration took() {
            return Duration.ofNanos(end - start);
        }
    }

    public static final String THREAD_PREFIX = "greeting-load-";

    private final Queue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final Queue<String> transportErrors = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService clients;
    private final ExecutorService httpExecutor;

    private GreetingLoad(URI greeting, int concurrency) {
        AtomicInteger n = new AtomicInteger();
        clients = Executors.newFixedThreadPool(concurrency, r -> new Thread(r, THREAD_PREFIX + n.incrementAndGet()));
        httpExecutor = Executors.newCachedThreadPool(r -> new Thread(r, THREAD_PREFIX + "http-" + n.incrementAndGet()));
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(httpExecutor)
                .build();
        HttpRequest request = HttpRequest.newBuilder(greeting).timeout(Duration.ofSeconds(30)).GET().build();
        for (int i = 0; i < concurrency; i++) {
            clients.execute(() -> {
                while (running.get()) {
                    call(http, request);
                }
            });
        }
    }

    /** Starts {@code concurrency} clients calling the given greeting URL. */
    public static GreetingLoad start(URI greeting, int concurrency) {
        return new GreetingLoad(greeting, concurrency);
    }

    private void call(HttpClient http, HttpRequest request) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            Long count = response.statusCode() == 200 ? new JsonObject(response.body()).getLong("count") : null;
            replies.add(new Reply(start, System.nanoTime(), response.statusCode(), count));
        } catch (IOException e) {
            transportErrors.add(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /** Stops the clients, lets the calls in flight finish, and returns every reply. */
    public List<Reply> stop() {
        running.set(false);
        clients.shutdown();
        try {
            if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("load clients did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        httpExecutor.shutdown();
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
