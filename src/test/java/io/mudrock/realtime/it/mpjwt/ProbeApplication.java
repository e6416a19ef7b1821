package io.mudrock.realtime.it.mpjwt;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.auth.LoginConfig;

/** The probe WAR's JAX-RS application, authenticated by MicroProfile JWT ({@link MpJwtAdminTokenIT}). */
@ApplicationPath("/")
@LoginConfig(authMethod = "MP-JWT")
public class ProbeApplication extends Application {
}
