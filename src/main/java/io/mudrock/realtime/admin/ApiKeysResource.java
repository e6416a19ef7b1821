package io.mudrock.realtime.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.tenant.ApiKey;
import io.mudrock.realtime.tenant.ApiKeyFormat;
import io.mudrock.realtime.tenant.ApiKeyKind;
import io.mudrock.realtime.tenant.InvalidTenantException;
import io.mudrock.realtime.tenant.TenantDirectory;
import io.mudrock.realtime.tenant.TenantEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * A tenant's opaque API keys ({@code sb_publishable_...} for {@code anon}, {@code sb_secret_...}
 * for {@code service_role}): list, register (a generated key, shown once in the answer, or one the
 * caller brings from its Supabase project) and revoke. Only hashes are stored; keys are never
 * logged. Revoking drains the tenant's sockets so no socket keeps a revoked key.
 */
@Path("tenants/{id}/api_keys")
@AdminAuthenticated
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeysResource {

    private static final Logger LOG = Logger.getLogger(ApiKeysResource.class.getName());
    private static final DateTimeFormatter NAIVE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    private static final int MAX_NAME_LENGTH = 100;

    @Inject
    TenantDirectory tenants;

    /** {@code GET /api/tenants/{id}/api_keys}: the keys' descriptions, never the keys. */
    @GET
    public Response list(@PathParam("id") String id) {
        return ApiErrors.unlessStoreFails(() -> {
            if (tenants.store().findByExternalId(id).isEmpty()) {
                return ApiErrors.notFound();
            }
            ObjectNode body = TenantJson.MAPPER.createObjectNode();
            ArrayNode data = body.putArray("data");
            tenants.apiKeyStore().list(id).forEach(key -> data.add(render(key)));
            return Response.ok(body.toString(), MediaType.APPLICATION_JSON_TYPE).build();
        });
    }

    /**
     * {@code POST /api/tenants/{id}/api_keys} with {@code {"type": "publishable"|"secret", "name": ...,
     * "api_key": ...}}: 201 with the key's description; {@code api_key} is in the answer only when the
     * server generated it (no {@code api_key} in the request).
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response register(@PathParam("id") String id, String body, @Context UriInfo uri) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? TenantJson.MAPPER.createObjectNode() : TenantJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return ApiErrors.badRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (!json.isObject()) {
            return ApiErrors.badRequest("The request body must be a JSON object");
        }
        Map<String, List<String>> errors = new LinkedHashMap<>();
        JsonNode typeNode = json.path("type");
        Optional<ApiKeyKind> kind = typeNode.isTextual() ? ApiKeyKind.ofType(typeNode.textValue()) : Optional.empty();
        if (kind.isEmpty()) {
            errors.put("type", List.of(typeNode.isMissingNode() || typeNode.isNull() ? "can't be blank"
                    : "must be \"publishable\" or \"secret\""));
        }
        JsonNode keyNode = json.path("api_key");
        String given = keyNode.isTextual() ? keyNode.textValue() : null;
        if (!keyNode.isMissingNode() && !keyNode.isNull() && given == null) {
            errors.put("api_key", List.of("must be a string"));
        } else if (given != null && kind.isPresent()) {
            ApiKeyFormat.problem(kind.get(), given).ifPresent(problem -> errors.put("api_key", List.of(problem)));
        }
        JsonNode nameNode = json.path("name");
        String name = nameNode.isTextual() ? nameNode.textValue().strip() : null;
        if (!nameNode.isMissingNode() && !nameNode.isNull() && (name == null || name.isEmpty()
                || name.length() > MAX_NAME_LENGTH)) {
            errors.put("name", List.of("must be a text of 1 to " + MAX_NAME_LENGTH + " characters"));
        }
        if (!errors.isEmpty()) {
            return ApiErrors.invalid(errors);
        }
        String key = given != null ? given : ApiKeyFormat.generate(kind.get());
        String keyName = name != null ? name : kind.get().type() + " " + UUID.randomUUID().toString().substring(0, 8);
        return ApiErrors.unlessStoreFails(() -> {
            if (tenants.store().findByExternalId(id).isEmpty()) {
                return ApiErrors.notFound();
            }
            ApiKey stored;
            try {
                stored = tenants.apiKeyStore().register(id, kind.get(), keyName, key);
            } catch (InvalidTenantException e) {
                return ApiErrors.invalid(e.errors());
            }
            tenants.changed(id, TenantEvent.Kind.UPDATED);
            LOG.info(() -> "Tenant '" + id + "': API key '" + stored.name() + "' (" + stored.kind().type() + ", "
                    + stored.hint() + ") registered");
            ObjectNode data = render(stored);
            if (given == null) {
                data.put("api_key", key);
            }
            ObjectNode answer = TenantJson.MAPPER.createObjectNode();
            answer.set("data", data);
            return Response.created(uri.getBaseUriBuilder().path("tenants").path(id).path("api_keys")
                            .path(stored.id().toString()).build())
                    .type(MediaType.APPLICATION_JSON_TYPE).entity(answer.toString()).build();
        });
    }

    /** {@code DELETE /api/tenants/{id}/api_keys/{keyId}}: 204, or 404 when the tenant has no such key. */
    @DELETE
    @Path("{keyId}")
    public Response revoke(@PathParam("id") String id, @PathParam("keyId") String keyId) {
        UUID uuid;
        try {
            uuid = UUID.fromString(keyId);
        } catch (IllegalArgumentException e) {
            return ApiErrors.notFound();
        }
        return ApiErrors.unlessStoreFails(() -> {
            Optional<ApiKey> revoked = tenants.apiKeyStore().revoke(id, uuid);
            if (revoked.isEmpty()) {
                return ApiErrors.notFound();
            }
            // Sockets joined with the key reconnect and are refused, as after a new jwt_secret.
            tenants.changed(id, TenantEvent.Kind.RELOADED);
            LOG.info(() -> "Tenant '" + id + "': API key '" + revoked.get().name() + "' (" + revoked.get().kind().type()
                    + ", " + revoked.get().hint() + ") revoked; the tenant's sockets are drained");
            return Response.noContent().build();
        });
    }

    private static ObjectNode render(ApiKey key) {
        return TenantJson.MAPPER.createObjectNode()
                .put("id", key.id().toString())
                .put("type", key.kind().type())
                .put("role", key.kind().role())
                .put("name", key.name())
                .put("hint", key.hint())
                .put("inserted_at", NAIVE.format(key.insertedAt()));
    }
}
