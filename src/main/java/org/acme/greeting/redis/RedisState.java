package org.acme.greeting.redis;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.TimeoutException;

/**
 * What the service last learnt about Redis, from greetings and readiness probes alike. Logs
 * each change of state once, so an outage under load writes two lines, not one per request.
 */
@ApplicationScoped
public class RedisState {

    private static final Logger LOG = Logger.getLogger(RedisState.class);
    /** user:password@ in a redis:// or rediss:// address, which a user may put in REDIS_URL. */
    private static final Pattern URL_CREDENTIALS = Pattern.compile("(?i)(rediss?://)[^@/\\s]*@");

    enum State {
        UNKNOWN, UP, DOWN
    }

    private final AtomicReference<State> state = new AtomicReference<>(State.UNKNOWN);
    private final Optional<String> password;

    RedisState(@ConfigProperty(name = "quarkus.redis.password") Optional<String> password) {
        this.password = password.filter(p -> !p.isEmpty());
    }

    /** Whether Redis answered the last command; null before any command. */
    public Boolean reachable() {
        return switch (state.get()) {
            case UP -> true;
            case DOWN -> false;
            case UNKNOWN -> null;
        };
    }

    public void up() {
        State previous = state.getAndSet(State.UP);
        if (previous == State.DOWN) {
            LOG.info("Redis is UP again");
        } else if (previous == State.UNKNOWN) {
            LOG.info("Redis is UP");
        }
    }

    public void down(Throwable cause) {
        if (state.getAndSet(State.DOWN) != State.DOWN) {
            LOG.warnf("Redis is DOWN: %s", describe(cause));
        }
    }

    /** A one-line reason safe to log: exception type and message, with any credentials masked. */
    String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root instanceof TimeoutException
                ? "no answer within the timeout"
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        message = URL_CREDENTIALS.matcher(message).replaceAll("$1***@");
        if (password.isPresent()) {
            message = message.replace(password.get(), "***");
        }
        return message;
    }
}
