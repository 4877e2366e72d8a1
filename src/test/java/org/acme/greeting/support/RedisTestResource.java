package org.acme.greeting.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;


import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a real redis-server on a free port for the application under test, with every write
 * fsynced to its append-only file, so a SIGKILL loses nothing that Redis acknowledged.
 * Subclasses add redis-server arguments and client settings.
 */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile RedisServerProcess current;

    /** The Redis the running application talks to; the tests stop, kill and freeze it. */
    public static RedisServerProcess redis() {
        return current;
    }

    /** Replaces the current Redis with a fresh process on the same port and data. */
    public static RedisServerProcess restart() {
        current = current.restart();
        return current;
    }

    /** After a test killed or froze Redis: a live, thawed Redis, and the application ready again. */
    public static void bringBack() {
        if (!current.isAlive()) {
            restart();
        }
        current.thaw();
        Readiness.await(Duration.ofSeconds(10));
    }

    protected String[] serverArgs() {
        return new String[] { "--appendonly", "yes", "--appendfsync", "always" };
    }

    protected Map<String, String> clientConfig(int port) {
        return Map.of("REDIS_HOST", "localhost", "REDIS_PORT", String.valueOf(port));
    }

    /** Starts the redis-server process; the embedded-redis binary unless a subclass needs another. */
    protected RedisServerProcess launch(int port, Path dataDir) {
        return RedisServerProcess.start(port, dataDir, serverArgs());
    }

    @Override
    public Map<String, String> start() {
        current = launch(freePort(), TestRedisDirs.fresh("redis-"));
        return clientConfig(current.port());
    }

    @Override
    public void stop() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    /** A TCP port on 127.0.0.1 that nothing listens on now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
