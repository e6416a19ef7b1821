package io.mudrock.realtime.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.auth.TokenSigner;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantDatabases;
import io.mudrock.realtime.tenant.TenantDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * What the wells page needs besides the WebSocket: its supabase-js settings, the rows to start
 * from, and (embedded default only) a sample well on demand. Everything answers 404 while the
 * page is off, so a deployment without it shows no trace of these routes.
 *
 * <p>The page works on the default tenant ({@code SELF_HOST_TENANT_NAME}), whose database the
 * rows are read from and whose JWT secret signs the page's anon key.
 */
@Path("demo")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Wells page", description = "Endpoints of the live wells page at /; on with DEMO_PAGE (default: embedded database only)")
@SecurityRequirements
public class DemoResource {

    private static final Logger LOG = Logger.getLogger(DemoResource.class.getName());

    /**
     * The anon key is public by design (RLS protects the rows); ten years, like the keys printed
     * at start-up, so a page left open never meets an expired token.
     */
    private static final Duration ANON_KEY_LIFETIME = Duration.ofDays(3650);

    private final SecureRandom random = new SecureRandom();

    @Inject
    DemoConfiguration demo;
    @Inject
    RealtimeConfig config;
    @Inject
    TenantDirectory tenants;
    @Inject
    TenantDatabases databases;

    /**
     * {@code GET /api/demo/config}: {@code {url, anonKey, tenant, role, sampleWells}}, where
     * {@code url} is this server as the browser reached it.
     */
    @GET
    @Path("config")
    @Operation(summary = "supabase-js settings of the wells page")
    public Response settings(@Context UriInfo uri) {
        if (!demo.settings().pageEnabled()) {
            return notFound();
        }
        Optional<Tenant> tenant = tenants.find(config.selfHostTenantName());
        if (tenant.isEmpty()) {
            return unavailable("the default tenant '" + config.selfHostTenantName() + "' does not exist (is SEED_SELF_HOST off?)");
        }
        if (!tenant.get().hasJwtSecret()) {
            return unavailable("the default tenant has no JWT secret to sign the page's anon key with");
        }
        Instant now = Instant.now();
        URI base = uri.getBaseUri();
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("url", base.getScheme() + "://" + base.getRawAuthority())
                .put("anonKey", new TokenSigner(tenant.get().jwtSecret()).sign("anon", now, now.plus(ANON_KEY_LIFETIME)))
                .put("tenant", tenant.get().externalId())
                .put("role", "anon")
                .put("sampleWells", demo.settings().sampleWellsEnabled());
        return Response.ok(body.toString()).build();
    }

    /** {@code GET /api/demo/wells}: the newest rows of {@code public.wells} as the anon role sees them. */
    @GET
    @Path("wells")
    @Operation(summary = "Current rows of public.wells, read as the anon role")
    public Response wells() {
        if (!demo.settings().pageEnabled()) {
            return notFound();
        }
        try {
            Optional<DataSource> database = tenantDatabase();
            return database.isEmpty() ? unavailable("the default tenant has no database")
                    : Response.ok(AnonWells.snapshotJson(database.get())).build();
        } catch (SQLException e) {
            return databaseFailure("read public.wells", e);
        }
    }

    /** {@code POST /api/demo/wells}: inserts a random sample well as the anon role; embedded default only. */
    @POST
    @Path("wells")
    @Operation(summary = "Insert a sample well (embedded database only)")
    public Response addSampleWell() {
        if (!demo.settings().sampleWellsEnabled()) {
            return notFound();
        }
        try {
            Optional<DataSource> database = tenantDatabase();
            if (database.isEmpty()) {
                return unavailable("the default tenant has no database");
            }
            // A random UWI can repeat; a few tries make that invisible.
            for (int attempt = 0; attempt < 3; attempt++) {
                Optional<String> row = AnonWells.insertJson(database.get(), SampleWell.random(random));
                if (row.isPresent()) {
                    return Response.status(Response.Status.CREATED).entity(row.get()).build();
                }
            }
            return Response.status(Response.Status.CONFLICT).entity(message("no free sample UWI found; try again")).build();
        } catch (SQLException e) {
            return databaseFailure("insert into public.wells", e);
        }
    }

    private Optional<DataSource> tenantDatabase() {
        return tenants.find(config.selfHostTenantName()).flatMap(databases::dataSource);
    }

    private static Response databaseFailure(String what, SQLException e) {
        LOG.log(Level.WARNING, "Wells page: could not " + what + ": " + e.getMessage());
        return unavailable("could not " + what + ": " + e.getMessage());
    }

    private static Response notFound() {
        return Response.status(Response.Status.NOT_FOUND).entity(message("not found")).build();
    }

    private static Response unavailable(String reason) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity(message(reason)).build();
    }

    private static String message(String text) {
        return JsonNodeFactory.instance.objectNode().put("message", text).toString();
    }
}
