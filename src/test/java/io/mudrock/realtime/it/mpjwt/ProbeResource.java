package io.mudrock.realtime.it.mpjwt;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.TreeSet;

/**
 * A resource behind MicroProfile JWT: it answers only when Liberty accepted the bearer token (the
 * web.xml constraint asks for any authenticated user), with the principal and the claims Liberty saw.
 */
@Path("/")
@PermitAll
public class ProbeResource {

    @Inject
    JsonWebToken token;

    @GET
    @Path("admin")
    @Produces(MediaType.TEXT_PLAIN)
    public String admin(@Context SecurityContext security) {
        return "principal=" + security.getUserPrincipal().getName() + " claims=" + new TreeSet<>(token.getClaimNames());
    }
}
