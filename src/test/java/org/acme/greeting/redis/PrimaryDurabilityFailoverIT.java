package org.acme.greeting.redis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.acme.greeting.support.SentinelRedisTestResource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The default durability (primary) through a Sentinel failover: counting follows the new primary,
 * and what a failover costs in counts is measured. When the primary dies while its replicas
 * lag, the counts they never got are lost and handed out again: the reason the replicated
 * setting exists (ReplicatedDurabilityFailoverIT).
 */
@QuarkusIntegrationTest
@TestProfile(PrimaryDurabilityFailoverIT.Sentinel.class)
@WithTestResource(SentinelRedisTestResource.class)
class PrimaryDurabilityFailoverIT extends SentinelFailoverScenarios {

    /** The application's redis-sentinel profile on top of prod, as a Knative Service sets it. */
    public static class Sentinel implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "prod,redis-sentinel";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greeting.counter.key", SentinelRedisTestResource.COUNTER_KEY);
        }
    }

    @Override
    void assertCounts(Outcome outcome, boolean replicasFellBehind) {
        if (replicasFellBehind) {
            // Not a promise: a check that the scenario loses counts at all, without which the
            // replicated setting's pass in the same scenario would prove nothing.
            assertTrue(outcome.duplicates() > 0, "counts handed out again after the failover: " + outcome);
        }
    }
}
