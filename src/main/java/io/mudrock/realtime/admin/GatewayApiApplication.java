package io.mudrock.realtime.admin;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The same API at {@code /realtime/v1/api}, the path supabase-js uses when no gateway strips
 * {@code /realtime/v1} in front of the server.
 */
@ApplicationPath("realtime/v1/api")
public class GatewayApiApplication extends Application {
}
