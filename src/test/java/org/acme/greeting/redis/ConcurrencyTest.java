package org.acme.greeting.redis;

import org.acme.greeting.GreetingConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.acme.greeting.support.RedisTestResource;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

@QuarkusTest
@TestProfile(ConcurrencyTest.PatientCounter.class)
@WithTestResource(RedisTestResource.class)
class ConcurrencyTest {

    /**
     * This test is about atomic counting, not latency. A burst of 500 connections on two cores,
     * shared with the test client, can outlast the 1 s counter bound, and the greetings past it
     * would rightly answer count: null (RedisOutageTest checks the bound). So the bound is lifted.
     */
    public static class PatientCounter implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greeting.counter.timeout", "60s");
        }
    }

    private static final int GREETINGS = 500;

    @TestHTTPResource("/greeting")
    URI greeting;

    @Inject
    RedisDataSource redis;

    @Inject
    GreetingConfig config;

    @Test
    void concurrentGreetingsAreEachCountedOnceWithDistinctCounts() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(greeting).timeout(Duration.ofSeconds(90)).GET().build();
        long before = storedCount();
        List<HttpResponse<String>> responses = burst(client, request, GREETINGS);

        assertEquals(List.of(200), responses.stream().map(HttpResponse::statusCode).distinct().toList());
        Set<Long> counts = responses.stream()
                .map(r -> new JsonObject(r.body()).getLong("count"))
                .collect(Collectors.toSet());
        assertEquals(GREETINGS, counts.size(), "every greeting got its own count");
        assertEquals(before + GREETINGS, storedCount(), "Redis counted every greeting once");
        assertEquals(IntStream.rangeClosed(1, GREETINGS).mapToObj(i -> before + i).collect(Collectors.toSet()), counts);
    }

    private static List<HttpResponse<String>> burst(HttpClient client, HttpRequest request, int size) {
        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, size)
                .mapToObj(i -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .toList();
        return calls.stream().map(CompletableFuture::join).toList();
    }

    private long storedCount() {
        Long value = redis.value(Long.class).get(config.counter().key());
        return value == null ? 0 : value;
    }
}
