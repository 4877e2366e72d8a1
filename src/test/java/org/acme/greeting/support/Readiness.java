package org.acme.greeting.support;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

/** Waits for the application under test to report ready again, after a test disturbed Redis. */
public final class Readiness {

    private Readiness() {
    }

    public static void await(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        // Connection: close, so that no connection of this wait outlives it (a test may count them).
        while (given().header("Connection", "close").get("/ready").statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "ready did not come back within " + limit);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
