package io.mudrock.realtime.socket;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * Jakarta REST at the context root, because clients call both {@code /api/...} and
 * {@code /realtime/v1/api/...} (the gateway prefix supabase-js adds). Every resource class of
 * the application is served by it; the WebSocket paths are exact servlet mappings and win.
 */
@ApplicationPath("/")
public class RestApplication extends Application {
}
