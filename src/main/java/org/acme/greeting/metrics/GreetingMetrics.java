package org.acme.greeting.metrics;

import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.acme.greeting.redis.RedisState;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.quarkus.runtime.StartupEvent;

/**
 * The greeting's own meters, beside HttpRequestTimer's, JvmMeters' and the Redis client's:
 * greetings by outcome, whether Redis answers, and how long this process took to start. Labels
 * take only the fixed values below, never anything a caller sent.
 */
@Singleton
public class GreetingMetrics {

    /** What became of a request to /greeting. */
    public enum Outcome {
        /** Answered 200 with the count. */
        COUNTED,
        /** Answered 200 with count: null, because Redis did not count it in time. */
        UNAVAILABLE,
        /** Answered 4xx: the request itself was wrong. */
        REFUSED
    }

    private final Map<Outcome, Counter> greetings = new EnumMap<>(Outcome.class);
    private volatile double startupMillis = Double.NaN;

    GreetingMetrics(MeterRegistry registry, RedisState redis) {
        // Registered up front, so each outcome reads 0 before its first greeting: rate() and
        // the uncounted-share alert need the series to exist.
        for (Outcome outcome : Outcome.values()) {
            greetings.put(outcome, Counter.builder("greetings")
                    .description("Requests to /greeting, by outcome")
                    .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        Gauge.builder("greeting.redis.up", redis, GreetingMetrics::upOrUnknown)
                .description("1 while Redis answered the last greeting or readiness check, 0 while it did not; NaN before the first")
                .register(registry);
        // Known once the application has started; a cold start is one more series with its value.
        TimeGauge.builder("greeting.startup.duration", this, TimeUnit.MILLISECONDS, m -> m.startupMillis)
                .description("JVM launch to the application being started (Quarkus' StartupEvent), for this process")
                .register(registry);
    }

    void started(@Observes StartupEvent event) {
        startupMillis = ManagementFactory.getRuntimeMXBean().getUptime();
    }

    public void greeted(Outcome outcome) {
        greetings.get(outcome).increment();
    }

    private static double upOrUnknown(RedisState redis) {
        Boolean up = redis.reachable();
        return up == null ? Double.NaN : up ? 1 : 0;
    }
}
