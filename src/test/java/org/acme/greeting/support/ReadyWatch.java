package org.acme.greeting.support;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Polls GET /ready every few milliseconds on one keep-alive connection, as a Knative readiness
 * probe would, and records each answer; closing it closes the connection.
 */
public final class ReadyWatch implements AutoCloseable {

    /** One probe: its status (-1: no HTTP answer) and when it was answered (System.nanoTime()). */
    public record Probe(long answered, int status) {
    }

    private final Queue<Probe> probes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final TestVertx vertx = TestVertx.start();
    private final HttpClient http;
    private final RequestOptions request;
    private final Duration period;

    private ReadyWatch(URI ready, Duration period) {
        this.period = period;
        http = vertx.get().createHttpClient(new HttpClientOptions().setKeepAlive(true));
        request = new RequestOptions().setMethod(HttpMethod.GET).setHost(ready.getHost())
                .setPort(ready.getPort()).setURI(ready.getRawPath()).setIdleTimeout(5_000);
        probe();
    }

    public static ReadyWatch start(URI ready, Duration period) {
        return new ReadyWatch(ready, period);
    }

    private void probe() {
        if (!running.get()) {
            stopped.countDown();
            return;
        }
        http.request(request)
                .compose(req -> req.send().compose(response -> response.body().map(body -> response.statusCode())))
                .onComplete(result -> {
                    probes.add(new Probe(System.nanoTime(), result.succeeded() ? result.result() : -1));
                    vertx.get().setTimer(period.toMillis(), id -> probe());
                });
    }

    /** How long after {@code since} (System.nanoTime()) /ready first answered {@code status}, if it did. */
    public Optional<Duration> firstAfter(long since, int status) {
        return probes.stream()
                .filter(p -> p.answered() >= since && p.status() == status)
                .findFirst()
                .map(p -> Duration.ofNanos(p.answered() - since));
    }

    public List<Probe> probes() {
        return new ArrayList<>(probes);
    }

    @Override
    public void close() {
        running.set(false);
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            vertx.close();
        }
    }
}
