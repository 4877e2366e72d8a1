package org.acme.greeting.redis;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.RedisTestResource;
import org.acme.greeting.support.RedisValue;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * durability=replicated against a Redis with no replica: no count can be confirmed, so none is
 * reported, and the service says why once; /ready stays UP, since Redis itself answers.
 */
@QuarkusTest
@TestProfile(ReplicatedWithoutReplicasTest.Replicated.class)
@WithTestResource(RedisTestResource.class)
class ReplicatedWithoutReplicasTest {

    public static class Replicated implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("COUNTER_DURABILITY", "replicated");
        }
    }

    @Test
    void aCountNoReplicaConfirmedIsNotReported() {
        long mark = AppLog.mark();
        long before = RedisValue.getLong(RedisTestResource.redis().port(), null, "greeting:count");
        for (int i = 0; i < 3; i++) {
            given().get("/greeting").then().statusCode(200)
                    .body("count", nullValue())
                    .body("counter", equalTo("unavailable"));
        }
        given().get("/ready").then().statusCode(200);
        // The primary counted each visit; only the confirmation was missing.
        assertEquals(before + 3, RedisValue.getLong(RedisTestResource.redis().port(), null, "greeting:count"));
        String log = AppLog.since(mark);
        assertTrue(log.contains("Redis is DOWN: NotReplicatedException: no replica is attached to the primary"), log);
    }
}
