package io.mudrock.realtime.startup;

import io.mudrock.realtime.auth.TokenSigner;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ManagementDatabase;
import io.mudrock.realtime.tenant.ApiKeyFormat;
import io.mudrock.realtime.tenant.ApiKeyKind;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The block the log ends with: where a supabase-js client connects and, with the embedded database
 * only, with which keys (the anon and service_role JWTs, and the opaque publishable and secret keys
 * {@link SelfHostTenantTask} registers) and a ready {@code curl} line for {@code /metrics}. With
 * {@code DB_HOST} set the server is a deployment whose log may be
 * collected and read widely, and a printed service_role key would be a standing credential there.
 */
final class StartupBanner {

    /** Printed keys are for development; ten years matches what Supabase's local stack prints. */
    private static final Duration KEY_LIFETIME = Duration.ofDays(3650);

    private StartupBanner() {
    }

    static String render(RealtimeConfig config, ManagementDatabase database) {
        return render(config, database.embeddedPsqlCommand(), database.settings());
    }

    /**
     * @param config       the configuration
     * @param embeddedPsql the psql command of the embedded database, empty with {@code DB_HOST}
     * @param settings     the management database's settings, shown when it is not embedded
     */
    static String render(RealtimeConfig config, Optional<String> embeddedPsql, RealtimeConfig.DatabaseSettings settings) {
        StringBuilder text = new StringBuilder(512);
        text.append("MudRock Realtime is ready.\n")
                .append("  supabase-js URL:  http://localhost:").append(config.port()).append('\n')
                .append("  WebSocket:        ws://localhost:").append(config.port()).append("/realtime/v1/websocket\n")
                .append("  Tenant:           ").append(config.selfHostTenantName()).append('\n');
        if (config.usesEmbeddedDatabase()) {
            config.tenantJwtSecret().filter(secret -> config.seedSelfHost()).ifPresent(secret -> {
                TokenSigner signer = new TokenSigner(secret);
                Instant now = Instant.now();
                text.append("  anon key:         ").append(signer.sign("anon", now, now.plus(KEY_LIFETIME))).append('\n')
                        .append("  service_role key: ").append(signer.sign("service_role", now, now.plus(KEY_LIFETIME))).append('\n')
                        .append("  publishable key:  ").append(ApiKeyFormat.derive(ApiKeyKind.PUBLISHABLE, secret)).append('\n')
                        .append("  secret key:       ").append(ApiKeyFormat.derive(ApiKeyKind.SECRET, secret)).append('\n');
            });
            config.metricsJwtSecret().ifPresent(secret -> {
                Instant now = Instant.now();
                String token = new TokenSigner(secret).sign(Map.<String, Object>of("iat", now.getEpochSecond(),
                        "exp", now.plus(KEY_LIFETIME).getEpochSecond()));
                text.append("  Metrics:          curl -H 'Authorization: Bearer ").append(token)
                        .append("' http://localhost:").append(config.port()).append("/metrics\n");
            });
        } else {
            text.append("  Keys:             not printed with DB_HOST set; sign them with JWT_SECRET\n");
        }
        embeddedPsql.ifPresentOrElse(
                psql -> text.append("  Database (psql):  ").append(psql).append('\n'),
                () -> text.append("  Database:         ").append(settings).append('\n'));
        return text.toString();
    }
}
