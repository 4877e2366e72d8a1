package org.acme.greeting.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/** Polls GET /ready every few milliseconds, as a Knative readiness probe would, and records each answer. */
public final class ReadyWatch implements AutoCloseable {

    /** One probe: its status and when it was answered (System.nanoTime()). */
    public record Probe(long answered, int status) {
    }

    public static final String THREAD_NAME = "ready-watch";

    private final Queue<Probe> probes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private ReadyWatch(URI ready, Duration period) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).GET().build();
        thread = new Thread(() -> {
            while (running.get()) {
                try {
                    int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    probes.add(new Probe(System.nanoTime(), status));
                    Thread.sleep(period.toMillis());
                } catch (IOException e) {
                    probes.add(new Probe(System.nanoTime(), -1));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, THREAD_NAME);
        thread.start();
    }

    public static ReadyWatch start(URI ready, Duration period) {
        return new ReadyWatch(ready, period);
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
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
