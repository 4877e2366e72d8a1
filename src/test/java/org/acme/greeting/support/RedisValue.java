package org.acme.greeting.support;

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
        try (RedisCommands commands = new RedisCommands()) {
            return getLong(commands, port, password, key);
        }
    }

    /** The same, through a RedisCommands the caller already holds. */
    public static long getLong(RedisCommands commands, int port, String password, String key) {
        Response value = commands.send(port, password, "GET", key);
        return value == null ? 0 : value.toLong();
    }
}
