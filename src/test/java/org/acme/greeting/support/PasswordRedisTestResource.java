package org.acme.greeting.support;

import java.util.stream.Stream;

/** A Redis that demands AUTH with {@link #PASSWORD}. */
public class PasswordRedisTestResource extends RedisTestResource {

    public static final String PASSWORD = "s3cret-Pw-9f4b2c71";

    @Override
    protected String[] serverArgs() {
        return Stream.concat(Stream.of(super.serverArgs()), Stream.of("--requirepass", PASSWORD))
                .toArray(String[]::new);
    }
}
