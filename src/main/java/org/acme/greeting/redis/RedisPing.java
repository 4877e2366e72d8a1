package org.acme.greeting.redis;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.acme.greeting.GreetingConfig;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;

/** Asks Redis for PING within the readiness timeout. */
@ApplicationScoped
public class RedisPing {

    private final ReactiveRedisDataSource redis;
    private final RedisState state;
    private final Duration timeout;

    RedisPing(ReactiveRedisDataSource redis, RedisState state, GreetingConfig config) {
        this.redis = redis;
        this.state = state;
        this.timeout = config.ready().timeout();
    }

    /** True when Redis answered in time; never fails. */
    public Uni<Boolean> reachable() {
        return redis.execute("PING")
                .ifNoItem().after(timeout).fail()
                .map(reply -> {
                    state.up();
                    return true;
                })
                .onFailure().recoverWithItem(failure -> {
                    state.down(failure);
                    return false;
                });
    }
}
