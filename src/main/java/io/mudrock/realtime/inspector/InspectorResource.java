package io.mudrock.realtime.inspector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.admin.AdminAuthenticated;
import io.mudrock.realtime.auth.TokenSigner;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * What the Realtime Inspector needs besides the WebSocket: its settings and the default tenant's
 * anon key (public, like the wells page's), a client token signed for a chosen role and {@code sub}
 * (admin token required), and a tenant's live figures for the charts (admin token required).
 * Everything answers 404 while {@code INSPECTOR=false} ({@link InspectorSwitchFilter}).
 */
@Path("inspector")
@ApplicationScoped
@InspectorEndpoint
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Realtime Inspector", description = "Endpoints of the inspector at /inspector/; on with INSPECTOR (default: embedded database only)")
public class InspectorResource {

    private static final Logger LOG = Logger.getLogger(InspectorResource.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Public by design, like the wells page's: RLS protects the rows. Long-lived so an open page keeps working. */
    private static final Duration ANON_KEY_LIFETIME = Duration.ofDays(3650);
    static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofHours(1);
    static final Duration MAX_TOKEN_LIFETIME = Duration.ofDays(1);
    /** A PostgreSQL role name as the server sets it with {@code set_config('role', ...)}. */
    private static final Pattern ROLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$-]{0,62}");
    private static final int MAX_SUB_LENGTH = 256;

    @Inject
    RealtimeConfig config;
    @Inject
    TenantDirectory tenants;
    @Inject
    TenantFigures figures;

    /**
     * {@code GET /api/inspector/config}: {@code {url, tenant, anonKey}}, where {@code url} is this server as
     * the browser reached it and {@code anonKey} is null when the default tenant has no JWT secret.
     */
    @GET
    @Path("config")
    @Operation(summary = "Settings of the Realtime Inspector and the default tenant's anon key")
    @SecurityRequirements
    public Response settings(@Context UriInfo uri) {
        URI base = uri.getBaseUri();
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("url", base.getScheme() + "://" + base.getRawAuthority())
                .put("tenant", config.selfHostTenantName());
        Optional<Tenant> tenant = tenants.find(config.selfHostTenantName()).filter(Tenant::hasJwtSecret);
        Instant now = Instant.now();
        body.put("anonKey", tenant.map(t -> new TokenSigner(t.jwtSecret()).sign("anon", now, now.plus(ANON_KEY_LIFETIME)))
                .orElse(null));
        return Response.ok(body.toString()).build();
    }

    /**
     * {@code POST /api/inspector/token} with {@code {tenant, role, sub?, expires_in?}}: an HS256 client token
     * signed with that tenant's JWT secret, valid {@code expires_in} seconds (default 3600, at most 86400).
     */
    @POST
    @Path("token")
    @AdminAuthenticated
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Sign a client token for a role and sub with a tenant's JWT secret")
    @SecurityRequirement(name = "adminToken")
    public Response token(String body) {
        JsonNode request;
        try {
            request = body == null || body.isBlank() ? JsonNodeFactory.instance.objectNode() : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return error(400, "The request body is not valid JSON: " + e.getOriginalMessage());
        }
        String tenantId = request.path("tenant").asText(config.selfHostTenantName());
        String role = request.path("role").asText("");
        String sub = request.path("sub").asText("");
        long seconds = request.path("expires_in").asLong(DEFAULT_TOKEN_LIFETIME.toSeconds());
        if (!ROLE.matcher(role).matches()) {
            return error(422, "role must be a PostgreSQL role name such as anon, authenticated or service_role (got '" + role + "')");
        }
        if (sub.length() > MAX_SUB_LENGTH) {
            return error(422, "sub must be at most " + MAX_SUB_LENGTH + " characters");
        }
        if (seconds < 1 || seconds > MAX_TOKEN_LIFETIME.toSeconds()) {
            return error(422, "expires_in must be from 1 to " + MAX_TOKEN_LIFETIME.toSeconds() + " seconds");
        }
        Optional<Tenant> tenant = tenants.find(tenantId);
        if (tenant.isEmpty()) {
            return error(404, "no tenant '" + tenantId + "'");
        }
        if (!tenant.get().hasJwtSecret()) {
            return error(422, "tenant '" + tenantId + "' verifies tokens with JWKS only, so the server cannot sign one; paste a token its issuer signed");
        }
        Instant now = Instant.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("role", role);
        if (!sub.isEmpty()) {
            claims.put("sub", sub);
        }
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.getEpochSecond() + seconds);
        String token = new TokenSigner(tenant.get().jwtSecret()).sign(claims);
        LOG.info(() -> LogText.tenant(tenantId) + ": inspector token signed for role " + role
                + (sub.isEmpty() ? "" : ", sub " + sub) + ", valid " + seconds + " s");
        ObjectNode answer = JsonNodeFactory.instance.objectNode().put("token", token).put("tenant", tenantId);
        answer.set("claims", JSON.valueToTree(claims));
        return Response.ok(answer.toString()).build();
    }

    /** {@code GET /api/inspector/tenants/{id}/figures}: one reading of the tenant's live figures ({@link TenantFigures}). */
    @GET
    @Path("tenants/{id}/figures")
    @AdminAuthenticated
    @Operation(summary = "A tenant's live figures for the inspector's charts")
    @SecurityRequirement(name = "adminToken")
    public Response figures(@PathParam("id") String id) {
        return tenants.find(id).map(tenant -> Response.ok(figures.read(tenant).toString()).build())
                .orElseGet(() -> error(404, "no tenant '" + id + "'"));
    }

    private static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(JsonNodeFactory.instance.objectNode().put("message", message).toString()).build();
    }
}
