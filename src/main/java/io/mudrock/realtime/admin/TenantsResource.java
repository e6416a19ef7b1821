package io.mudrock.realtime.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.cluster.ClusterConnection;
import io.mudrock.realtime.cluster.ClusterStatus;
import io.mudrock.realtime.database.MigrationRunner;
import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.stream.ReplicationStreams;
import io.mudrock.realtime.stream.StreamStatus;
import io.mudrock.realtime.tenant.InvalidTenantException;
import io.mudrock.realtime.tenant.StoredTenant;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantDatabases;
import io.mudrock.realtime.tenant.TenantDirectory;
import io.mudrock.realtime.tenant.TenantEvent;
import io.mudrock.realtime.tenant.TenantStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Upstream's tenant administration API: list, get, create or update, delete, reload, shutdown,
 * health, plus the setup doctor. Bodies are plaintext; secrets are encrypted by the store and are
 * never returned or logged.
 */
@Path("tenants")
@AdminAuthenticated
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class TenantsResource {

    private static final Logger LOG = Logger.getLogger(TenantsResource.class.getName());

    @Inject
    TenantDirectory tenants;
    @Inject
    TenantDatabases databases;
    @Inject
    SetupDoctor doctor;
    @Inject
    ReplicationStreams streams;
    @Inject
    ClusterConnection cluster;

    /** {@code GET /api/tenants}. */
    @GET
    public Response list() {
        return ApiErrors.unlessStoreFails(() -> {
            ObjectNode body = TenantJson.MAPPER.createObjectNode();
            ArrayNode data = body.putArray("data");
            tenants.store().listAll().forEach(stored -> data.add(TenantJson.render(stored.tenant())));
            return ok(body);
        });
    }

    /** {@code GET /api/tenants/{id}}. */
    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return ApiErrors.unlessStoreFails(() -> tenants.store().findByExternalId(id)
                .map(stored -> ok(data(TenantJson.render(stored.tenant()))))
                .orElseGet(ApiErrors::notFound));
    }

    /** {@code POST /api/tenants}: creates (201) or, when the external id exists, updates (200). */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(String body, @Context UriInfo uri) {
        return upsert(body, null, uri);
    }

    /** {@code PUT /api/tenants/{id}}: create or update keyed by the path id. */
    @PUT
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    public Response put(@PathParam("id") String id, String body, @Context UriInfo uri) {
        return upsert(body, id, uri);
    }

    /** {@code PATCH /api/tenants/{id}}: as PUT. */
    @PATCH
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    public Response patch(@PathParam("id") String id, String body, @Context UriInfo uri) {
        return upsert(body, id, uri);
    }

    /** {@code DELETE /api/tenants/{id}}: closes its sockets and streams, deletes the rows; 204 also when unknown. */
    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        return ApiErrors.unlessStoreFails(() -> {
            if (tenants.store().delete(id)) {
                LOG.info(() -> LogText.tenant(id) + ": deleted");
            }
            tenants.changed(id, TenantEvent.Kind.DELETED);
            return Response.noContent().build();
        });
    }

    /** {@code POST /api/tenants/{id}/reload}: drains the tenant's sockets and streams. */
    @POST
    @Path("{id}/reload")
    public Response reload(@PathParam("id") String id) {
        return ApiErrors.unlessStoreFails(() -> {
            if (tenants.store().findByExternalId(id).isEmpty()) {
                return ApiErrors.notFound();
            }
            tenants.changed(id, TenantEvent.Kind.RELOADED);
            LOG.info(() -> LogText.tenant(id) + ": reloaded");
            return Response.noContent().build();
        });
    }

    /** {@code POST /api/tenants/{id}/shutdown}: closes the tenant's database connections. */
    @POST
    @Path("{id}/shutdown")
    public Response shutdown(@PathParam("id") String id) {
        databases.close(id);
        return Response.noContent().build();
    }

    /** {@code GET /api/tenants/{id}/health}, upstream's shape. */
    @GET
    @Path("{id}/health")
    public Response health(@PathParam("id") String id) {
        return ApiErrors.unlessStoreFails(() -> {
            Optional<StoredTenant> stored = tenants.store().findByExternalId(id);
            if (stored.isEmpty()) {
                return ApiErrors.notFound();
            }
            Tenant tenant = stored.get().tenant();
            boolean dbConnected = databases.dataSource(tenant).map(TenantsResource::answers).orElse(false);
            ObjectNode data = TenantJson.MAPPER.createObjectNode()
                    .put("healthy", dbConnected)
                    .put("db_connected", dbConnected)
                    .put("replication_connected", streams.status(id).map(StreamStatus::connected).orElse(false))
                    .put("region", tenant.postgresCdc() == null ? null : tenant.postgresCdc().region())
                    .put("node", System.getenv().getOrDefault("HOSTNAME", "mudrock-realtime"));
            ClusterStatus node = cluster.status();
            if (node.enabled()) {
                data.put("cluster_node", node.nodeId()).put("redis_connected", node.redisReachable());
            }
            return ok(data(data));
        });
    }

    /** {@code GET /api/tenants/{id}/doctor}: the setup checklist, one row per check. */
    @GET
    @Path("{id}/doctor")
    public Response doctor(@PathParam("id") String id) {
        return ApiErrors.unlessStoreFails(() -> {
            Optional<StoredTenant> stored = tenants.store().findByExternalId(id);
            if (stored.isEmpty()) {
                ObjectNode body = TenantJson.MAPPER.createObjectNode();
                body.putArray("data").addObject().put("check", "tenant").put("status", "fail")
                        .put("found", "no tenant '" + id + "' in _realtime.tenants")
                        .put("fix", "POST /api/tenants with {\"tenant\":{\"external_id\":\"" + id + "\", ...}}");
                return Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(body.toString()).build();
            }
            ObjectNode body = TenantJson.MAPPER.createObjectNode();
            body.set("data", TenantJson.MAPPER.valueToTree(doctor.examine(stored.get())));
            return ok(body);
        });
    }

    private Response upsert(String body, String pathId, UriInfo uri) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : TenantJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return ApiErrors.badRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        }
        TenantJson.Parsed parsed = TenantJson.parse(json, pathId);
        if (!parsed.errors().isEmpty()) {
            return ApiErrors.invalid(parsed.errors());
        }
        return ApiErrors.unlessStoreFails(() -> {
            Optional<Tenant> before = tenants.store().findByExternalId(parsed.changes().externalId()).map(StoredTenant::tenant);
            TenantStore.UpsertResult result;
            try {
                result = tenants.store().upsert(parsed.changes());
            } catch (InvalidTenantException e) {
                return ApiErrors.invalid(e.errors());
            }
            Tenant tenant = result.stored().tenant();
            if (result.changed()) {
                // New limits apply to new joins; new credentials or database must reach every socket and stream,
                // and a suspension must reach the sockets already connected (upstream disconnects them too).
                boolean reconnect = before.map(old -> !Objects.equals(old.jwtSecret(), tenant.jwtSecret())
                        || !Objects.equals(old.jwtJwks(), tenant.jwtJwks())
                        || !Objects.equals(old.postgresCdc(), tenant.postgresCdc())
                        || old.suspend() != tenant.suspend()).orElse(false);
                tenants.changed(tenant.externalId(), reconnect ? TenantEvent.Kind.RELOADED : TenantEvent.Kind.UPDATED);
                if (before.isPresent() && before.get().suspend() != tenant.suspend()) {
                    LOG.info(() -> LogText.tenant(tenant.externalId()) + ": " + (tenant.suspend()
                            ? "suspended: its sockets are drained, new connections, joins and REST broadcasts refused"
                            : "unsuspended: connections are accepted again"));
                }
            }
            if (result.created()) {
                migrate(tenant);
            }
            LOG.info(() -> LogText.tenant(tenant.externalId()) + ": " + (result.created() ? "created" : result.changed() ? "updated" : "unchanged"));
            ObjectNode response = data(TenantJson.render(tenant));
            return result.created()
                    ? Response.created(uri.getBaseUriBuilder().path("tenants").path(tenant.externalId()).build())
                            .type(MediaType.APPLICATION_JSON_TYPE).entity(response.toString()).build()
                    : ok(response);
        });
    }

    /** Bootstraps a new tenant's database as upstream does on create; a failure is reported by the doctor. */
    private void migrate(Tenant tenant) {
        databases.dataSource(tenant).ifPresent(dataSource -> {
            try {
                MigrationRunner.migrateTenant(dataSource, tenant.postgresCdc().publication(), false);
            } catch (Exception e) {
                LOG.log(Level.WARNING, LogText.tenant(tenant.externalId()) + ": database bootstrap failed: " + e.getMessage()
                        + " (GET /api/tenants/" + tenant.externalId() + "/doctor shows what is missing)");
            }
        });
    }

    private static boolean answers(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static ObjectNode data(JsonNode value) {
        ObjectNode body = TenantJson.MAPPER.createObjectNode();
        body.set("data", value);
        return body;
    }

    private static Response ok(ObjectNode body) {
        return Response.ok(body.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
