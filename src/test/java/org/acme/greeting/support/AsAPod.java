package org.acme.greeting.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The packaged application configured as Knative runs it: the password Redis demands
 * (PasswordRedisTestResource) and the revision name Knative gives the pod in K_REVISION.
 */
public class AsAPod implements QuarkusTestProfile {

    public static final String REVISION = "greeting-00001";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("REDIS_PASSWORD", PasswordRedisTestResource.PASSWORD, "K_REVISION", REVISION);
    }
}
