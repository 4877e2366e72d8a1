package org.acme.greeting.redis;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.acme.greeting.GreetingConfig;
import org.acme.greeting.GreetingConfig.Durability;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Uni;

/**
 * Counts visits with one atomic INCR, confirmed by the replicas under durability=replicated.
 * Never retries: an INCR whose reply was lost may have been applied, and sending it again could
 * count a visit twice.
 */
@ApplicationScoped
public class VisitCounter {

    private final ReactiveValueCommands<String, Long> values;
    private final ReplicatedIncrement replicated;
    private final RedisState state;
    private final String key;
    private final Duration timeout;

    VisitCounter(ReactiveRedisDataSource redis, RedisState state, GreetingConfig config) {
        this.values = redis.value(Long.class);
        this.state = state;
        this.key = config.counter().key();
        this.timeout = config.counter().timeout();
        // Half the greeting's timeout for WAIT: the INCR and ROLE before it take the rest.
        this.replicated = config.counter().durability() == Durability.REPLICATED
                ? new ReplicatedIncrement(redis, key, timeout.dividedBy(2))
                : null;
    }

    /** The count after this visit, or a null item when Redis did not count it within the timeout. */
    public Uni<Long> increment() {
        Uni<Long> incremented = replicated == null ? values.incr(key) : replicated.increment();
        return incremented
                .ifNoItem().after(timeout).fail()
                .invoke(count -> state.up())
                .onFailure().recoverWithItem(failure -> {
                    state.down(failure);
                    return null;
                });
    }
}
