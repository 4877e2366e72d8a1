package org.acme.greeting.support;

import java.util.concurrent.TimeUnit;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Reads a key from the tests' Redis with a client of the test's own, for tests that run the
 * packaged application in its own process and so cannot inject its Redis client.
 */
public final class RedisValue {

    private RedisValue() {
    }

    /** The key's value as a number, 0 when it is not set. */
    public static long getLong(int port, String password, String key) {
        try (TestVertx vertx = TestVertx.start()) {
            Redis client = Redis.createClient(vertx.get(), new RedisOptions()
                    .setConnectionString("redis://127.0.0.1:" + port).setPassword(password));
            Response value = client.send(Request.cmd(Command.GET).arg(key))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            client.close();
            return value == null ? 0 : value.toLong();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("GET " + key + " from Redis on port " + port + " failed", e);
        }
    }
}
