package io.mudrock.realtime.startup;

import io.mudrock.realtime.auth.TokenSigner;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ManagementDatabase;

import java.time.Duration;
import java.time.Instant;

/** The block the log ends with: where a supabase-js client connects and with which keys. */
final class StartupBanner {

    /** Printed keys are for development; ten years matches what Supabase's local stack prints. */
    private static final Duration KEY_LIFETIME = Duration.ofDays(3650);

    private StartupBanner() {
    }

    static String render(RealtimeConfig config, ManagementDatabase database) {
        StringBuilder text = new StringBuilder(512);
        text.append("MudRock Realtime is ready.\n")
                .append("  supabase-js URL:  http://localhost:").append(config.port()).append('\n')
                .append("  WebSocket:        ws://localhost:").append(config.port()).append("/realtime/v1/websocket\n")
                .append("  Tenant:           ").append(config.selfHostTenantName()).append('\n');
        config.tenantJwtSecret().filter(secret -> config.seedSelfHost()).ifPresent(secret -> {
            TokenSigner signer = new TokenSigner(secret);
            Instant now = Instant.now();
            text.append("  anon key:         ").append(signer.sign("anon", now, now.plus(KEY_LIFETIME))).append('\n')
                    .append("  service_role key: ").append(signer.sign("service_role", now, now.plus(KEY_LIFETIME))).append('\n');
        });
        database.embeddedPsqlCommand().ifPresentOrElse(
                psql -> text.append("  Database (psql):  ").append(psql).append('\n'),
                () -> text.append("  Database:         ").append(database.settings()).append('\n'));
        return text.toString();
    }
}
