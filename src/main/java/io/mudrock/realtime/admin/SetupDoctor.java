package io.mudrock.realtime.admin;

import io.mudrock.realtime.auth.JwtVerifier;
import io.mudrock.realtime.auth.TokenSigner;
import io.mudrock.realtime.auth.TokenVerification;
import io.mudrock.realtime.auth.VerifiedClaims;
import io.mudrock.realtime.stream.ReplicationStreams;
import io.mudrock.realtime.stream.StreamStatus;
import io.mudrock.realtime.tenant.PostgresCdcSettings;
import io.mudrock.realtime.tenant.StoredTenant;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantDatabases;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The setup doctor: the whole verification checklist of the old setup guide for one tenant, each
 * row with what was found and the one-line fix. Reads only; it changes nothing.
 */
@ApplicationScoped
public class SetupDoctor {

    @Inject
    TenantDatabases databases;
    @Inject
    ReplicationStreams streams;

    /** Examines a tenant that exists. */
    public List<DoctorFinding> examine(StoredTenant stored) {
        Tenant tenant = stored.tenant();
        List<DoctorFinding> findings = new ArrayList<>();
        findings.add(DoctorFinding.ok("tenant", "tenant '" + tenant.externalId() + "' exists"
                + (tenant.suspend() ? " but is suspended" : "")));
        findings.add(secretCheck(stored));
        PostgresCdcSettings cdc = tenant.postgresCdc();
        Optional<DataSource> dataSource = databases.dataSource(tenant);
        if (cdc == null || dataSource.isEmpty()) {
            findings.add(DoctorFinding.fail("database settings", "the tenant has no postgres_cdc_rls extension",
                    "PUT /api/tenants/" + tenant.externalId() + " with extensions [{type: \"postgres_cdc_rls\", settings: {db_host, db_port, db_name, db_user, db_password}}]"));
            return findings;
        }
        try (Connection db = dataSource.get().getConnection()) {
            findings.add(DoctorFinding.ok("database connection", "connected to " + cdc.dbUser() + "@" + cdc.dbHost()
                    + ":" + cdc.dbPort() + "/" + cdc.dbName()));
            findings.addAll(DatabaseDoctor.examine(db, cdc.publication()));
            findings.add(streamCheck(tenant));
        } catch (SQLException e) {
            findings.add(DoctorFinding.fail("database connection", "cannot reach " + cdc.dbHost() + ":" + cdc.dbPort()
                    + "/" + cdc.dbName() + ": " + e.getMessage(),
                    "check db_host/db_port/db_user/db_password (and ssl_enforced=" + cdc.sslEnforced() + ") of the tenant"));
        }
        return findings;
    }

    /** The live replication stream of the tenant, if bindings keep one open. */
    private DoctorFinding streamCheck(Tenant tenant) {
        Optional<StreamStatus> status = streams.status(tenant.externalId());
        if (status.isEmpty() || status.get().state() == StreamStatus.State.IDLE) {
            return DoctorFinding.ok("replication stream", "not running: no channel has postgres_changes bindings"
                    + " (it starts with the first one)");
        }
        StreamStatus s = status.get();
        return switch (s.state()) {
            case STREAMING -> DoctorFinding.ok("replication stream", "connected since " + s.since() + " with slot "
                    + s.slot() + " for " + s.subscriptions() + " channels; confirmed " + StreamStatus.lsn(s.confirmedLsn())
                    + ", " + s.pendingBytes() + " bytes received and not yet confirmed");
            case STARTING -> DoctorFinding.warn("replication stream", "starting since " + s.since(),
                    "wait a moment; if it stays here, check max_replication_slots and max_wal_senders above");
            default -> DoctorFinding.fail("replication stream", "disconnected since " + s.since() + ": " + s.problem(),
                    "the server reconnects by itself; fix what the reason names (database down, slots or WAL senders exhausted)");
        };
    }

    private static DoctorFinding secretCheck(StoredTenant stored) {
        Tenant tenant = stored.tenant();
        String fix = "PUT /api/tenants/" + tenant.externalId() + " with {\"tenant\":{\"jwt_secret\":\"<plaintext secret>\"}}";
        if (!stored.problems().isEmpty()) {
            String found = String.join("; ", stored.problems().stream().map(p -> p.message()).toList());
            boolean usable = stored.problems().stream().allMatch(p -> p.valueUsed());
            return usable ? DoctorFinding.warn("jwt secret", found, fix) : DoctorFinding.fail("jwt secret", found, fix);
        }
        if (!tenant.hasJwtSecret()) {
            return tenant.jwtJwks() != null
                    ? DoctorFinding.ok("jwt secret", "no shared secret; tokens are verified with the tenant's JWKS")
                    : DoctorFinding.fail("jwt secret", "the tenant has neither a jwt_secret nor a jwt_jwks", fix);
        }
        Instant now = Instant.now();
        String token = new TokenSigner(tenant.jwtSecret()).sign("anon", now, now.plusSeconds(60));
        TokenVerification verification = new JwtVerifier(Clock.systemUTC()).verifyWithRoleAndExp(token, tenant);
        return verification instanceof VerifiedClaims
                ? DoctorFinding.ok("jwt secret", "the secret decrypts and verifies a freshly signed token")
                : DoctorFinding.fail("jwt secret", "a freshly signed token was refused: " + verification, fix);
    }
}
