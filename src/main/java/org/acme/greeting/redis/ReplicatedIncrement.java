package org.acme.greeting.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.Command;

/**
 * INCR, then WAIT until every replica attached to the primary has it, on one connection: WAIT
 * counts the replicas holding this connection's writes. Every replica, not one: Sentinel promotes
 * the replica with the highest replication offset it last read from that replica's INFO, which may
 * predate the count, so any of them may become the primary (src/test/java/org/acme/greeting/README.md,
 * "Failover with Sentinel").
 */
final class ReplicatedIncrement {

    /** A count the primary made but too few replicas confirmed; the greeting reports no count. */
    static final class NotReplicatedException extends RuntimeException {
        NotReplicatedException(String message) {
            super(message, null, false, false);
        }
    }

    private final ReactiveRedisDataSource redis;
    private final String key;
    private final String waitMillis;

    /**
     * {@code waitLimit} must end before the greeting's own timeout: a WAIT still blocking when
     * the greeting gives up would hold its connection, and the next greeting queued behind it.
     */
    ReplicatedIncrement(ReactiveRedisDataSource redis, String key, Duration waitLimit) {
        this.redis = redis;
        this.key = key;
        this.waitMillis = String.valueOf(Math.max(1, waitLimit.toMillis()));
    }

    Uni<Long> increment() {
        AtomicReference<Long> count = new AtomicReference<>();
        return redis.withConnection(connection -> connection.execute(Command.INCR, key)
                .chain(reply -> {
                    count.set(reply.toLong());
                    return connection.execute(Command.ROLE);
                })
                .chain(role -> {
                    int replicas = attachedReplicas(role);
                    if (replicas == 0) {
                        return Uni.createFrom().failure(new NotReplicatedException("no replica is attached to the primary"));
                    }
                    return connection.execute(Command.WAIT, String.valueOf(replicas), waitMillis)
                            .chain(acks -> acks.toInteger() >= replicas
                                    ? Uni.createFrom().voidItem()
                                    : Uni.createFrom().failure(new NotReplicatedException(acks.toInteger() + " of "
                                            + replicas + " replicas acknowledged the count within " + waitMillis + " ms")));
                }))
                .map(done -> count.get());
    }

    /** ROLE on a primary: ["master", offset, [[ip, port, offset], ...]], listing replicas online only. */
    private static int attachedReplicas(Response role) {
        if (!"master".equals(role.get(0).toString())) {
            throw new NotReplicatedException("the server counting is not the primary but a " + role.get(0));
        }
        return role.get(2).size();
    }
}
