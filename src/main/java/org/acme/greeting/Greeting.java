package org.acme.greeting;

/**
 * Body of a greeting. {@code count} is null, and {@code counter} is "unavailable", when Redis
 * could not count this visit in time.
 */
public record Greeting(String message, Long count, String counter, String environment, String revision) {

    static final String COUNTER_OK = "ok";
    static final String COUNTER_UNAVAILABLE = "unavailable";
}
