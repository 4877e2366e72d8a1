package org.acme.greeting.dev;

import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import redis.embedded.RedisServer;
import redis.embedded.exceptions.EmbeddedRedisException;

/**
 * In dev mode, when no Redis is configured (neither REDIS_URL nor REDIS_HOST), starts a real
 * redis-server on 127.0.0.1 at REDIS_PORT (6379 by default), where the Redis client looks, so that
 * {@code ./mvnw quarkus:dev} counts with nothing installed. The binary and the code that starts
 * it are org.signal:embedded-redis', which waits for the server's own "Ready to accept
 * connections": a port held by another process is an error, never a false start. Its append-only
 * file lives under target/, so counts survive live reloads.
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class DevRedis {

    private static final Logger LOG = Logger.getLogger(DevRedis.class);

    private RedisServer server;

    void start(@Observes StartupEvent event, Config config) {
        if (config.getOptionalValue("REDIS_URL", String.class).isPresent()
                || config.getOptionalValue("REDIS_HOST", String.class).isPresent()) {
            LOG.info("Redis is configured; not starting the embedded dev Redis");
            return;
        }
        int port = config.getOptionalValue("REDIS_PORT", Integer.class).orElse(6379);
        try {
            server = start(port, Path.of("target", "dev-redis"));
            LOG.infof("Started an embedded redis-server on 127.0.0.1:%d for dev mode", port);
        } catch (EmbeddedRedisException e) {
            LOG.warnf("Could not start the embedded dev Redis on port %d; is another Redis there? Set REDIS_PORT to"
                    + " another port, or REDIS_HOST to use that Redis. %s", port, e.getMessage());
        }
    }

    /** Starts redis-server on 127.0.0.1:port with an append-only file in dataDir; returns once it is ready. */
    static RedisServer start(int port, Path dataDir) {
        dataDir.toFile().mkdirs();
        RedisServer redis = RedisServer.builder()
                .port(port)
                // redis-server runs in the binary's temporary folder: the data folder must be absolute.
                .setting("dir \"" + dataDir.toAbsolutePath() + "\"")
                .setting("appendonly yes")
                .setting("save \"\"")
                .build();
        redis.start();
        return redis;
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.stop();
        }
    }
}
