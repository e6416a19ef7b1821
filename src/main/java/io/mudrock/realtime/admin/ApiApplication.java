package io.mudrock.realtime.admin;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The HTTP API at {@code /api}, where upstream serves it. Its OpenAPI description is served by
 * MicroProfile OpenAPI at {@code /openapi} (UI at {@code /openapi/ui}).
 */
@ApplicationPath("api")
@OpenAPIDefinition(
        info = @Info(title = "MudRock Realtime API", version = "1",
                description = "Tenant administration compatible with Supabase Realtime's /api/tenants, "
                        + "the setup doctor, and the broadcast REST API."),
        security = @SecurityRequirement(name = "adminToken"))
@SecurityScheme(securitySchemeName = "adminToken", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
        description = "HS256/384/512 JWT signed with API_JWT_SECRET; exp checked when present")
public class ApiApplication extends Application {
}
