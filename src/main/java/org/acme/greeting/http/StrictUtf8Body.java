package org.acme.greeting.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.acme.greeting.InvalidInputException;

import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a body that is not well-formed UTF-8. Jackson's byte parser is lenient: it decodes
 * overlong forms (0xC1 0xA1 as "a") and code points past U+10FFFF, so a name could arrive in
 * bytes that no UTF-8 decoder would accept. The JDK's decoder refuses them.
 */
@ApplicationScoped
public class StrictUtf8Body {

    void install(@Observes Router router) {
        // After Quarkus' body handler has read the body, before the function's route.
        router.post().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT).handler(this::check);
    }

    void check(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        if (body != null && body.length() > 0) {
            CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT);
            ByteBuffer bytes = body.getByteBuf().nioBuffer();
            try {
                decoder.decode(bytes);
            } catch (CharacterCodingException e) {
                // The decoder stops with the buffer's position on the first bad byte.
                ctx.fail(new InvalidInputException(String.format(
                        "request body is not valid UTF-8: byte 0x%02X at offset %d",
                        body.getByte(bytes.position()) & 0xFF, bytes.position())));
                return;
            }
        }
        ctx.next();
    }
}
