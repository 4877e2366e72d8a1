package org.acme.greeting;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same contract, against the packaged application in target/quarkus-app. */
@QuarkusIntegrationTest
class GreetingContractIT extends GreetingContractTest {
}
