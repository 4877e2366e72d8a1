package org.acme.greeting.http;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;

/**
 * Says what is wrong with a POST body that Funqy refused. Funqy answers a body it cannot bind
 * with a bare 400, so the body is read again here, on the error path only.
 */
@ApplicationScoped
class RequestBodyDiagnosis {

    private final ObjectMapper mapper;

    RequestBodyDiagnosis(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    String explain(Buffer body) {
        if (body == null || body.length() == 0) {
            return "bad request";
        }
        JsonNode root;
        try {
            root = mapper.readTree(body.getBytes());
        } catch (JsonProcessingException e) {
            return "malformed JSON: " + e.getOriginalMessage();
        } catch (Exception e) {
            return "malformed JSON";
        }
        if (!root.isObject()) {
            return "request body must be a JSON object such as {\"name\":\"Ada\"}, got "
                    + typeOf(root);
        }
        JsonNode name = root.get("name");
        if (name != null && !name.isTextual() && !name.isNull()) {
            return "field 'name' must be a string, got " + typeOf(name);
        }
        return "request body does not fit {\"name\": string}";
    }

    private static String typeOf(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
