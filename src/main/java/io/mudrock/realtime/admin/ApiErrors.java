package io.mudrock.realtime.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.tenant.TenantStoreException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/** The JSON error bodies of the API, in upstream's shapes. */
final class ApiErrors {

    private static final Logger LOG = Logger.getLogger(ApiErrors.class.getName());

    private ApiErrors() {
    }

    /** 401 {@code {"message":"Unauthorized","reason":...}}. */
    static Response unauthorized(String reason) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("message", "Unauthorized");
        if (reason != null) {
            body.put("reason", reason);
        }
        return json(401, body);
    }

    /** 403 {@code {"message":"Forbidden","reason":...}}: authenticated, but not allowed. */
    static Response forbidden(String reason) {
        return json(403, JsonNodeFactory.instance.objectNode().put("message", "Forbidden").put("reason", reason));
    }

    /** 404 {@code {"message":"not found"}}, as upstream. */
    static Response notFound() {
        return json(404, JsonNodeFactory.instance.objectNode().put("message", "not found"));
    }

    /** 400 for a body that is not JSON. */
    static Response badRequest(String message) {
        return json(400, JsonNodeFactory.instance.objectNode().put("message", message));
    }

    /** 422 {@code {"errors":{"field":["message"]}}}, as upstream's validation errors. */
    static Response invalid(Map<String, List<String>> errors) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode fields = body.putObject("errors");
        errors.forEach((field, messages) -> messages.forEach(fields.putArray(field)::add));
        return json(422, body);
    }

    /** 503 when the management database does not answer. */
    static Response unavailable(String message) {
        return json(503, JsonNodeFactory.instance.objectNode().put("message", message));
    }

    /**
     * Answers with {@code action}, or with {@link #unavailable} when the management database
     * fails under it (logged as one line, no stack trace: the cause is outside this request).
     */
    static Response unlessStoreFails(Supplier<Response> action) {
        try {
            return action.get();
        } catch (TenantStoreException e) {
            LOG.warning("Management database error: " + e.getMessage());
            return unavailable("The management database did not answer: " + e.getMessage());
        }
    }

    static Response json(int status, ObjectNode body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body.toString()).build();
    }
}
