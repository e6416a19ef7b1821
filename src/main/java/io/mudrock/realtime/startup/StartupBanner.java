package io.mudrock.realtime.startup;

import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.database.ManagementDatabase;

/** The block the log ends with: where a supabase-js client connects and with which keys. */
final class StartupBanner {

    private StartupBanner() {
    }

    static String render(RealtimeConfig config, ManagementDatabase database) {
        StringBuilder text = new StringBuilder(512);
        text.append("MudRock Realtime is ready.\n")
                .append("  supabase-js URL:  http://localhost:").append(config.port()).append('\n')
                .append("  WebSocket:        ws://localhost:").append(config.port()).append("/realtime/v1/websocket\n")
                .append("  Tenant:           ").append(config.selfHostTenantName()).append('\n');
        database.embeddedPsqlCommand().ifPresentOrElse(
                psql -> text.append("  Database (psql):  ").append(psql).append('\n'),
                () -> text.append("  Database:         ").append(database.settings()).append('\n'));
        return text.toString();
    }
}
