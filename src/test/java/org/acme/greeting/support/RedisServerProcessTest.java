package org.acme.greeting.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

/** The tests' Redis launcher: a started server serves, and a port someone else holds is a clear error. */
class RedisServerProcessTest {

    @Test
    void aStartedServerAnswersOnItsPort() {
        try (RedisServerProcess redis = RedisServerProcess.start(RedisTestResource.freePort(), TestRedisDirs.fresh("launcher-"))) {
            assertTrue(redis.isAlive());
            assertEquals(0, RedisValue.getLong(redis.port(), null, "nothing:here"));
        }
    }

    @Test
    void aPortHeldByAnotherProcessIsAnErrorNotAFalseStart() throws IOException {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> RedisServerProcess.start(other.getLocalPort(), TestRedisDirs.fresh("taken-")));
            assertTrue(failure.getMessage().contains("redis-server exited with 1 on port " + other.getLocalPort()),
                    failure.getMessage());
            assertTrue(failure.getMessage().contains("in use"), failure.getMessage());
        }
    }
}
