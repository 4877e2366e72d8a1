package org.acme.greeting;

import java.util.Map;

import org.acme.greeting.http.HttpStatusOverride;
import org.acme.greeting.redis.RedisPing;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.funqy.Funq;
import io.smallrye.mutiny.Uni;

/** The probes Knative calls: {@code /health} for liveness, {@code /ready} for readiness. */
public class ProbeFunctions {

    private static final String UP = "UP";
    private static final String DOWN = "DOWN";

    /** Body of both probes; {@code checks} is left out of the liveness answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProbeStatus(String status, Map<String, String> checks) {
    }

    private static final ProbeStatus ALIVE = new ProbeStatus(UP, null);
    private static final ProbeStatus READY = new ProbeStatus(UP, Map.of("redis", UP));
    private static final ProbeStatus NOT_READY = new ProbeStatus(DOWN, Map.of("redis", DOWN));

    private final RedisPing ping;
    private final HttpStatusOverride statusOverride;

    ProbeFunctions(RedisPing ping, HttpStatusOverride statusOverride) {
        this.ping = ping;
        this.statusOverride = statusOverride;
    }

    /** Liveness: answers whenever the process can serve, and never touches Redis. */
    @Funq("health")
    public ProbeStatus health() {
        return ALIVE;
    }

    /** Readiness: 200 while Redis answers PING in time, else 503. */
    @Funq("ready")
    public Uni<ProbeStatus> ready() {
        HttpStatusOverride.Setter respondWith = statusOverride.forCurrentRequest();
        return ping.reachable().map(reachable -> {
            if (reachable) {
                return READY;
            }
            respondWith.status(503);
            return NOT_READY;
        });
    }
}
