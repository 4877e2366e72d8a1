package org.acme.greeting;

import org.acme.greeting.metrics.GreetingMetrics;
import org.acme.greeting.metrics.GreetingMetrics.Outcome;
import org.acme.greeting.redis.VisitCounter;

import io.quarkus.funqy.Funq;
import io.smallrye.mutiny.Uni;

/** {@code GET|POST /greeting}: greets the caller and counts the visit in Redis. */
public class GreetingFunction {

    private final VisitCounter counter;
    private final GreetingConfig config;
    private final GreetingMetrics metrics;

    GreetingFunction(VisitCounter counter, GreetingConfig config, GreetingMetrics metrics) {
        this.counter = counter;
        this.config = config;
        this.metrics = metrics;
    }

    @Funq("greeting")
    public Uni<Greeting> greeting(GreetingRequest request) {
        String name = request == null || request.getName() == null
                ? config.defaultName()
                : GreetingName.validate(request.getName());
        String message = "Hello, " + name + "!";
        return counter.increment().map(count -> {
            metrics.greeted(count == null ? Outcome.UNAVAILABLE : Outcome.COUNTED);
            return new Greeting(message, count,
                    count == null ? Greeting.COUNTER_UNAVAILABLE : Greeting.COUNTER_OK,
                    config.environment(), config.revision());
        });
    }
}
