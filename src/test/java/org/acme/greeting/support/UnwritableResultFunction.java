package org.acme.greeting.support;

import io.quarkus.funqy.Funq;

/**
 * A function whose result cannot be written as JSON, as a bug of ours could make one, so a test
 * can see what a caller and the log get. Test sources only, like {@link FailingFunction}.
 */
public class UnwritableResultFunction {

    public static final String ROUTE = "unwritable-for-tests";
    /** A detail only the server log may show. */
    public static final String DETAIL = "internal detail 3e9a: the result cannot be written";

    /** A bean whose only property fails when Jackson reads it. */
    public static class Unwritable {
        public String getValue() {
            throw new IllegalStateException(DETAIL);
        }
    }

    @Funq(ROUTE)
    public Unwritable unwritable() {
        return new Unwritable();
    }
}
