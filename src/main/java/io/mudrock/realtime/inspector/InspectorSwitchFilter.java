package io.mudrock.realtime.inspector;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/**
 * Answers 404 for every {@code /api/inspector/*} request while {@code INSPECTOR=false}. It runs
 * before the admin token check, so a switched-off inspector shows no trace, not even a 401.
 */
@Provider
@InspectorEndpoint
@Priority(Priorities.AUTHENTICATION - 100)
@ApplicationScoped
public class InspectorSwitchFilter implements ContainerRequestFilter {

    @Inject
    InspectorConfiguration inspector;

    @Override
    public void filter(ContainerRequestContext request) {
        if (!inspector.settings().enabled()) {
            request.abortWith(Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(JsonNodeFactory.instance.objectNode().put("message", "not found").toString()).build());
        }
    }
}
