package org.acme.floor;

import io.quarkus.funqy.Funq;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Uni;

/**
 * {@code GET|POST /greeting}: one INCR, then a greeting with the count. Nothing else: no
 * validation, metrics, JSON logging or error mapping; the floor the benchmark sets ours against.
 */
public class FloorFunction {

    private final ReactiveValueCommands<String, Long> counter;

    FloorFunction(ReactiveRedisDataSource redis) {
        this.counter = redis.value(Long.class);
    }

    @Funq("greeting")
    public Uni<Reply> greeting(Request request) {
        String name = request == null || request.name == null ? "World" : request.name;
        return counter.incr("floor:count").map(count -> new Reply("Hello, " + name + "!", count));
    }

    public static class Request {
        public String name;
    }

    public record Reply(String message, long count) {
    }
}
