package org.acme.greeting.support;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** A Redis that demands AUTH with {@link #PASSWORD}. */
public class PasswordRedisTestResource extends RedisTestResource {

    public static final String PASSWORD = "s3cret-Pw-9f4b2c71";

    /**
     * The given config overrides plus the Redis client's logging at its most verbose, so that a
     * test that finds no password in the log has looked at every level.
     */
    public static Map<String, String> withVerboseRedisLogging(Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>(overrides);
        config.put("quarkus.log.level", "DEBUG");
        config.put("quarkus.log.category.\"io.vertx.redis\".level", "TRACE");
        config.put("quarkus.log.category.\"io.quarkus.redis\".level", "TRACE");
        return config;
    }

    @Override
    protected String[] serverArgs() {
        return Stream.concat(Stream.of(super.serverArgs()), Stream.of("--requirepass", PASSWORD))
                .toArray(String[]::new);
    }
}
