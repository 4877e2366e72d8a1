package org.acme.greeting.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.acme.greeting.support.SentinelRedisTestResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/**
 * greeting.counter.durability=replicated through a Sentinel failover: no count handed out is lost
 * or handed out again, whichever replica the sentinels promote, even when the primary dies while
 * its replicas lag.
 */
@QuarkusIntegrationTest
@TestProfile(ReplicatedDurabilityFailoverIT.SentinelReplicated.class)
@WithTestResource(SentinelRedisTestResource.class)
class ReplicatedDurabilityFailoverIT extends SentinelFailoverScenarios {

    public static class SentinelReplicated extends PrimaryDurabilityFailoverIT.Sentinel {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("COUNTER_DURABILITY", "replicated", "greeting.counter.key", SentinelRedisTestResource.COUNTER_KEY);
        }
    }

    @Override
    void assertCounts(Outcome outcome, boolean replicasFellBehind) {
        assertEquals(0, outcome.duplicates(), "no count handed out twice: " + outcome);
        assertEquals(0, outcome.aboveFinal(), "no count handed out above the final value: " + outcome);
        assertTrue(outcome.counts().size() > 1_000, "the load was counted: " + outcome);
    }
}
