package io.mudrock.realtime.admin;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The HTTP API at {@code /api}, where upstream serves it. */
@ApplicationPath("api")
public class ApiApplication extends Application {
}
