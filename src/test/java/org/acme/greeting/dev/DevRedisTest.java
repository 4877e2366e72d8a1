package org.acme.greeting.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import org.acme.greeting.support.RedisTestResource;
import org.acme.greeting.support.RedisValue;
import org.acme.greeting.support.TestRedisDirs;
import org.junit.jupiter.api.Test;

import redis.embedded.RedisServer;
import redis.embedded.exceptions.EmbeddedRedisException;

/** The Redis that dev mode starts: it serves once started, and a taken port is a clear error, never a false start. */
class DevRedisTest {

    @Test
    void startsARedisThatCountsAndKeepsItsFilesInTheFolderGiven() throws IOException {
        int port = RedisTestResource.freePort();
        Path dir = TestRedisDirs.fresh("dev-redis-");
        RedisServer redis = DevRedis.start(port, dir);
        try {
            assertEquals(0, RedisValue.getLong(port, null, "greeting:count"));
            assertTrue(dir.resolve("appendonlydir").toFile().isDirectory(), "the append-only file is in " + dir);
        } finally {
            redis.stop();
        }
    }

    @Test
    void aPortHeldByAnotherProcessIsAnErrorNotAFalseStart() throws IOException {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedRedisException failure = assertThrows(EmbeddedRedisException.class,
                    () -> DevRedis.start(other.getLocalPort(), TestRedisDirs.fresh("dev-taken-")));
            assertTrue(failure.getMessage().contains("in use"), failure.getMessage());
        }
    }
}
