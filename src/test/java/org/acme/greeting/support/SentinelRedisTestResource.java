package org.acme.greeting.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A {@link SentinelGroup} for the application under test, which gets the sentinels' addresses,
 * the master name and the password, as a Knative Service would from its environment.
 */
public class SentinelRedisTestResource implements QuarkusTestResourceLifecycleManager {

    /**
     * The counter's key, 8 KiB long: each INCR the primary passes to its replicas is then 8 KiB,
     * so a paused replica's socket buffers fill within a fraction of a second and the rest waits
     * in the primary's memory, as it would behind a slow link, where a crash loses it. With the
     * usual short key, the kernel keeps everything the primary sent to a paused replica, even
     * after the primary is killed, and nothing is ever lost on loopback. Given to the
     * application by the tests' profile, not by this resource: what a resource returns is also
     * set in the test JVM, where it outlived the class and changed the key other tests read.
     */
    public static final String COUNTER_KEY = "greeting:count:" + "k".repeat(8 * 1024);

    private static volatile SentinelGroup group;

    public static SentinelGroup group() {
        return group;
    }

    @Override
    public Map<String, String> start() {
        group = SentinelGroup.start(PasswordRedisTestResource.PASSWORD);
        return Map.of("REDIS_SENTINELS", group.sentinelAddresses(),
                "REDIS_MASTER_NAME", SentinelGroup.MASTER_NAME,
                "REDIS_PASSWORD", PasswordRedisTestResource.PASSWORD);
    }

    @Override
    public void stop() {
        if (group != null) {
            group.close();
            group = null;
        }
    }
}
