package org.acme.greeting;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the greeting function; see the configuration table in the README. */
@ConfigMapping(prefix = "greeting")
public interface GreetingConfig {

    /** Name greeted when the caller gives none. */
    @WithDefault("World")
    String defaultName();

    /** Deployment environment reported in every greeting (env var ENVIRONMENT). */
    @WithDefault("dev")
    String environment();

    /** Knative revision serving the request (env var K_REVISION, set by Knative). */
    @WithDefault("local")
    String revision();

    Counter counter();

    Ready ready();

    interface Counter {
        /** Redis key incremented once per greeting. */
        @WithDefault("greeting:count")
        String key();

        /** Longest a greeting waits for Redis before it answers with count: null. */
        @WithDefault("1s")
        Duration timeout();

        /** When a count may be reported: see {@link Durability}. */
        @WithDefault("primary")
        Durability durability();
    }

    /** What must hold a count before a greeting reports it. */
    enum Durability {
        /** The primary's reply to INCR; a failover may lose the last counts, and hand them out again. */
        PRIMARY,
        /** Also every replica attached to the primary (WAIT); with none attached, the greeting reports no count. */
        REPLICATED
    }

    interface Ready {
        /** Longest the readiness probe waits for Redis PING before it reports DOWN. */
        @WithDefault("300ms")
        Duration timeout();
    }
}
