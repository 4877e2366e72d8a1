package org.acme.greeting.support;

import java.nio.file.Path;
import java.util.Map;


import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A Redis address with no Redis behind it when the application starts, as on a cluster where
 * Redis is down while a pod cold-starts; the test starts and kills the real redis-server there.
 */
public class LateRedisTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile int port;
    private static volatile Path dataDir;
    private static volatile RedisServerProcess redis;

    /** Starts redis-server on the address the application was given. */
    public static void startRedis() {
        redis = RedisServerProcess.start(port, dataDir, "--appendonly", "yes", "--appendfsync", "always");
    }

    public static void killRedis() {
        redis.kill();
    }

    @Override
    public Map<String, String> start() {
        port = RedisTestResource.freePort();
        dataDir = TestRedisDirs.fresh("late-redis-");
        return Map.of("REDIS_HOST", "localhost", "REDIS_PORT", String.valueOf(port));
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.close();
        }
    }
}
