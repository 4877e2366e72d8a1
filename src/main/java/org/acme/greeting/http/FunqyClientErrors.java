package org.acme.greeting.http;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Keeps a caller's mistakes out of the log. Funqy 3.34 (VertxRequestHandler) logs a body or query
 * it cannot bind, and a method other than GET and POST, at ERROR with a stack trace, on the same
 * logger as its failure to write a function's result; the caller's mistakes are already answered
 * with a JSON 4xx (JsonErrors), so only those records are dropped. The failure to write a result
 * stays: it is ours, and JsonErrors answers it with a 500.
 */
@LoggingFilter(name = FunqyClientErrors.NAME)
public final class FunqyClientErrors implements Filter {

    static final String NAME = "funqy-client-errors";
    private static final String FUNQY = "io.quarkus.funqy";

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!FUNQY.equals(record.getLoggerName()) || record.getMessage() == null) {
            return true;
        }
        String message = record.getMessage();
        return !message.startsWith("Failed to unmarshal input") && !message.startsWith("Must be POST or GET for");
    }
}
