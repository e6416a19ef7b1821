package io.mudrock.realtime.admin;

import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ManagementDatabase;
import io.mudrock.realtime.startup.StartupTask;
import io.mudrock.realtime.tenant.StoredTenant;
import io.mudrock.realtime.tenant.TenantDirectory;
import io.mudrock.realtime.tenant.TenantEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Which of the admin API's secrets ({@code API_JWT_SECRET}, {@code API_JWT_SECRET_NEXT}) are also a
 * tenant's JWT secret (the default tenant's {@code JWT_SECRET} or any stored {@code jwt_secret},
 * decrypted). Sharing one makes every client key of that tenant a valid admin token, so
 * {@link AdminTokenFilter} then refuses role-bearing tokens that are not server-side keys.
 *
 * <p>The one owner of that answer: worked out at start-up (a {@link StartupTask}, after the changelogs
 * and seeding), again on every {@link TenantEvent}, and when older than 30 s (a change made with SQL
 * behind the API's back). A warning line says why sharing is dangerous and how to fix it at start-up
 * and whenever a change makes another tenant share a secret. Until the tenants could be read once, both
 * secrets count as shared, so a role-bearing client key is never mistaken for an admin token.
 */
@ApplicationScoped
public class ApiSecretSharing implements StartupTask {

    private static final Logger LOG = Logger.getLogger(ApiSecretSharing.class.getName());
    private static final Duration MAX_AGE = Duration.ofSeconds(30);

    @Inject
    RealtimeConfig config;
    @Inject
    TenantDirectory tenants;

    private final Clock clock = Clock.systemUTC();
    private volatile Snapshot snapshot;
    /** Tenant ids already warned about, so one sharing situation is logged once (guarded by this). */
    private Set<String> warned = Set.of();

    /** The configured admin secrets that are also some tenant's JWT secret (current, or re-read if stale). */
    public Set<String> sharedSecrets() {
        Snapshot current = snapshot;
        if (current == null || current.checked().plus(MAX_AGE).isBefore(clock.instant())) {
            current = refresh();
        }
        return current.sharedSecrets();
    }

    @Override
    public void run(RealtimeConfig startupConfig, ManagementDatabase database) {
        refresh();
    }

    void onTenantChange(@Observes TenantEvent event) {
        refresh();
    }

    private synchronized Snapshot refresh() {
        List<StoredTenant> stored;
        try {
            stored = tenants.store().listAll();
        } catch (RuntimeException e) {
            Snapshot previous = snapshot;
            LOG.info(() -> "Cannot read the tenants to compare their JWT secrets with API_JWT_SECRET: " + e.getMessage()
                    + (previous == null ? "; until they can be read, admin tokens with a client role are refused"
                            : "; keeping the result of " + previous.checked()));
            // a failed read is retried after MAX_AGE, not on every request
            Snapshot kept = previous == null
                    ? new Snapshot(Set.copyOf(config.apiJwtSecrets()), List.of(), clock.instant())
                    : new Snapshot(previous.sharedSecrets(), previous.tenantIds(), clock.instant());
            snapshot = kept;
            return kept;
        }
        Set<String> shared = new LinkedHashSet<>();
        Set<String> sharingTenants = new TreeSet<>();
        for (String secret : config.apiJwtSecrets()) {
            if (config.seedSelfHost() && config.tenantJwtSecret().filter(s -> same(s, secret)).isPresent()) {
                shared.add(secret);
                sharingTenants.add(config.selfHostTenantName());
            }
            for (StoredTenant tenant : stored) {
                String tenantSecret = tenant.tenant().jwtSecret();
                if (tenantSecret != null && same(tenantSecret, secret)) {
                    shared.add(secret);
                    sharingTenants.add(tenant.tenant().externalId());
                }
            }
        }
        Snapshot next = new Snapshot(Set.copyOf(shared), List.copyOf(sharingTenants), clock.instant());
        snapshot = next;
        report(next);
        return next;
    }

    /** Warns when tenants start sharing a secret (start-up included); says so once when none does any more. */
    private void report(Snapshot next) {
        if (!warned.containsAll(next.tenantIds())) {
            List<String> secrets = config.apiJwtSecrets();
            String names = next.sharedSecrets().contains(secrets.get(0))
                    ? (next.sharedSecrets().size() > 1 ? "API_JWT_SECRET and API_JWT_SECRET_NEXT are" : "API_JWT_SECRET is")
                    : "API_JWT_SECRET_NEXT is";
            LOG.warning(() -> names + " also the JWT secret of tenant(s) " + String.join(", ", next.tenantIds())
                    + ": every client key of those tenants (the anon key, each user's session token) is then signed"
                    + " like an admin token and could read, change or delete tenants. Admin tokens with a role other"
                    + " than service_role or supabase_admin are refused (403) while this lasts. Fix: give API_JWT_SECRET"
                    + " its own random value (e.g. openssl rand -base64 32), not JWT_SECRET, and sign admin tokens with it.");
        } else if (next.tenantIds().isEmpty() && !warned.isEmpty()) {
            LOG.info("API_JWT_SECRET is no longer any tenant's JWT secret: admin tokens are checked as upstream does");
        }
        warned = Set.copyOf(next.tenantIds());
    }

    /** Constant-time comparison, since one side is a secret. */
    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * One evaluation.
     *
     * @param sharedSecrets the admin secrets some tenant also uses
     * @param tenantIds     the tenants using them, sorted, for the log
     * @param checked       when it was worked out
     */
    private record Snapshot(Set<String> sharedSecrets, List<String> tenantIds, Instant checked) {
    }
}
