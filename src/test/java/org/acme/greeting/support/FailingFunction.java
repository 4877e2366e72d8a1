package org.acme.greeting.support;

import io.quarkus.funqy.Funq;

/**
 * A function that fails as no function of ours should, so a test can see what a caller and the
 * log get for an unexpected failure. Test sources only: part of every @QuarkusTest application,
 * never of the packaged one.
 */
public class FailingFunction {

    public static final String ROUTE = "failing-for-tests";
    /** A detail only the server log may show. */
    public static final String DETAIL = "internal detail 7c1f: do not show callers";

    @Funq(ROUTE)
    public String fail() {
        throw new IllegalStateException(DETAIL);
    }
}
