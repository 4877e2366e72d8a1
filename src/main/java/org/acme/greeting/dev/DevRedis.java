package org.acme.greeting.dev;

import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * In dev mode, when no Redis is configured (neither REDIS_URL nor REDIS_HOST), starts a real
 * redis-server on 127.0.0.1 at REDIS_PORT (6379 by default), where the Redis client looks, so that
 * {@code ./mvnw quarkus:dev} counts with nothing installed. Its append-only file lives under
 * target/, so counts survive live reloads.
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class DevRedis {

    private static final Logger LOG = Logger.getLogger(DevRedis.class);

    private RedisServerProcess server;

    void start(@Observes StartupEvent event, Config config) {
        if (config.getOptionalValue("REDIS_URL", String.class).isPresent()
                || config.getOptionalValue("REDIS_HOST", String.class).isPresent()) {
            LOG.info("Redis is configured; not starting the embedded dev Redis");
            return;
        }
        int port = config.getOptionalValue("REDIS_PORT", Integer.class).orElse(6379);
        try {
            server = RedisServerProcess.start(port, Path.of("target", "dev-redis"),
                    "--appendonly", "yes");
            LOG.infof("Started an embedded redis-server on 127.0.0.1:%d (pid %d) for dev mode",
                    port, server.pid());
        } catch (IllegalStateException e) {
            LOG.warnf("Could not start the embedded dev Redis (%s); is another Redis on port %d?",
                    e.getMessage(), port);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close();
        }
    }
}
