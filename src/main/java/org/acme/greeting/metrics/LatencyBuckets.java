package org.acme.greeting.metrics;

import java.time.Duration;
import java.util.Set;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Histogram buckets for the two latencies the alerts and the dashboard read: HTTP requests and
 * Redis commands. Fixed buckets, unlike client-side percentiles, add up across pods with
 * histogram_quantile(); these cover a Redis round trip (sub-millisecond) up to the greeting's
 * 1 s counter timeout and beyond, 12 buckets per series.
 */
@Singleton
public class LatencyBuckets {

    static final Set<String> TIMERS = Set.of("http.server.requests", "redis.commands.duration");
    private static final long[] BUCKETS_MS = { 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500 };

    @Produces
    @Singleton
    MeterFilter latencyBuckets() {
        double[] bucketsNanos = new double[BUCKETS_MS.length];
        for (int i = 0; i < BUCKETS_MS.length; i++) {
            bucketsNanos[i] = Duration.ofMillis(BUCKETS_MS[i]).toNanos();
        }
        DistributionStatisticConfig buckets = DistributionStatisticConfig.builder()
                .serviceLevelObjectives(bucketsNanos)
                .build();
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return TIMERS.contains(id.getName()) ? buckets.merge(config) : config;
            }
        };
    }
}
