package org.acme.greeting.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;

/**
 * JVM memory, threads and garbage collection, in place of Quarkus' JVM binder
 * (quarkus.micrometer.binder.jvm=false). That binder's GC meters listen to a JMX notification
 * after every collection, and a greeting under load allocates enough for many collections a
 * second: in 7 alternating benchmark rounds the service with that binder served 0.86 and 0.91
 * (two copies of one jar) of the throughput it serves with this class, where the two copies
 * differed by 6% (src/test/bench/README.md, "Observability cost"). Here collection counts and
 * times are read from the collectors' MXBeans when Prometheus scrapes, which costs nothing per
 * collection. Quarkus binds every MeterBinder bean to the registry.
 */
@Singleton
public class JvmMeters {

    @Produces
    @Singleton
    MeterBinder memory() {
        return new JvmMemoryMetrics();
    }

    @Produces
    @Singleton
    MeterBinder threads() {
        return new JvmThreadMetrics();
    }

    @Produces
    @Singleton
    MeterBinder garbageCollection() {
        return registry -> {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                FunctionCounter.builder("jvm.gc.collections", gc, GarbageCollectorMXBean::getCollectionCount)
                        .description("Collections by this collector since the JVM started")
                        .tag("gc", gc.getName())
                        .register(registry);
                FunctionCounter.builder("jvm.gc.collection.time", gc, g -> g.getCollectionTime() / 1000.0)
                        .description("Time spent in this collector since the JVM started")
                        .baseUnit("seconds")
                        .tag("gc", gc.getName())
                        .register(registry);
            }
        };
    }
}
