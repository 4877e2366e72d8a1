package org.acme.greeting.support;

import static io.restassured.RestAssured.given;

import java.time.Duration;

import org.awaitility.Awaitility;

/** Waits for the application under test to report ready again, after a test disturbed Redis. */
public final class Readiness {

    private Readiness() {
    }

    public static void await(Duration limit) {
        // Connection: close, so that no connection of this wait outlives it (a test may count them).
        Awaitility.await("/ready to answer 200").atMost(limit).pollInterval(Duration.ofMillis(50))
                .until(() -> given().header("Connection", "close").get("/ready").statusCode() == 200);
    }
}
