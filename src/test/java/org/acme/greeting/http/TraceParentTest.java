package org.acme.greeting.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which traceparent headers give a trace id for the log (W3C Trace Context, section 3.2). */
class TraceParentTest {

    @Test
    void aWellFormedHeaderGivesItsTraceId() {
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736",
                TraceParent.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    }

    @Test
    void aLaterVersionMayAppendFields() {
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736",
                TraceParent.traceId("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace id
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff
            "00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01", // short trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", // no flags
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"}{\"level\":\"ERROR" // injection
    })
    void anythingElseGivesNone(String header) {
        assertNull(TraceParent.traceId(header));
    }

    @Test
    void noHeaderGivesNone() {
        assertNull(TraceParent.traceId(null));
    }
}
