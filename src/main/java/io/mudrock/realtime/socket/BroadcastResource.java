package io.mudrock.realtime.socket;

import io.mudrock.realtime.protocol.LogText;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.channel.ChannelAuthorizationException;
import io.mudrock.realtime.channel.ChannelServices;
import io.mudrock.realtime.channel.ChannelTenant;
import io.mudrock.realtime.channel.ClientClaims;
import io.mudrock.realtime.channel.TenantActivity;
import io.mudrock.realtime.channel.TokenVerdict;
import io.mudrock.realtime.channel.TopicKey;
import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.protocol.JsonText;
import io.mudrock.realtime.protocol.UserBroadcast;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The client-facing broadcast REST API (§8.5), at {@code /api/broadcast} and under the gateway
 * prefix {@code /realtime/v1/api/broadcast} (both API applications serve it): the tenant comes from the Host, the caller's token
 * from {@code Authorization: Bearer} or {@code apikey}. Messages go to the same fan-out as
 * socket broadcasts; private topics need the sender's broadcast write policy (others are
 * skipped silently, as upstream). Answers 202 with no body.
 */
@Path("broadcast")
@RequestScoped
public class BroadcastResource {

    private static final Logger LOG = Logger.getLogger(BroadcastResource.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    ChannelServices services;
    @Inject
    TenantResolver tenants;

    /**
     * {@code POST /api/broadcast} with {@code {"messages":[{"topic","event","payload","private","id"}]}},
     * what realtime-js sends when {@code send()} is called on a channel that is not joined.
     *
     * @param host the Host header
     * @param authorization the Authorization header
     * @param apikey the apikey header
     * @param body the request body
     * @return 202, or the documented error
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response batch(@HeaderParam("Host") String host, @HeaderParam("Authorization") String authorization,
            @HeaderParam("apikey") String apikey, String body) {
        Caller caller = authenticate(host, authorization, apikey);
        if (caller.refusal != null) {
            return caller.refusal;
        }
        JsonNode messages;
        try {
            messages = MAPPER.readTree(body == null ? "" : body).path("messages");
        } catch (IOException e) {
            return error(422, "message", "Invalid JSON body");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            return error(422, "message", "Expected {\"messages\": [{\"topic\", \"event\", \"payload\"}, ...]}");
        }
        ChannelTenant tenant = caller.tenant;
        if (messages.size() > tenant.maxEventsPerSecond()) {
            return error(429, "message", "Too many messages to broadcast, please reduce the batch size");
        }
        if (caller.activity.events().reached(tenant.maxEventsPerSecond())) {
            return error(429, "message", "You have exceeded your rate limit");
        }
        List<Outgoing> outgoing = new ArrayList<>();
        for (JsonNode message : messages) {
            JsonNode topic = message.path("topic");
            JsonNode event = message.path("event");
            if (!topic.isTextual() || !event.isTextual()) {
                return error(422, "message", "Every message needs a string topic and a string event");
            }
            JsonNode payload = message.has("payload") ? message.get("payload") : MAPPER.createObjectNode();
            JsonNode id = message.path("id");
            String meta = id.isTextual() ? "{\"id\":" + JsonText.quote(id.textValue()) + "}" : null;
            UserBroadcast broadcast = UserBroadcast.textFramed(event.textValue(), JsonText.write(payload), meta);
            if (broadcast.payloadSize() > tenant.maxPayloadBytes()) {
                return error(422, "message", "Payload size exceeds tenant limit");
            }
            boolean privateTopic = message.path("private").asBoolean(false);
            outgoing.add(new Outgoing(new TopicKey(tenant.id(), privateTopic, topic.textValue()), broadcast));
        }
        send(caller, outgoing);
        return accepted();
    }

    /**
     * {@code POST /api/broadcast/{topic}/events/{event}[?private=true]}, realtime-js {@code httpSend()}:
     * the body is the payload, JSON or raw bytes.
     *
     * @param host the Host header
     * @param authorization the Authorization header
     * @param apikey the apikey header
     * @param contentType the Content-Type header
     * @param topic the sub-topic
     * @param event the event
     * @param privateTopic {@code true} for a private channel
     * @param body the payload
     * @return 202, or the documented error
     */
    @POST
    @Path("{topic}/events/{event}")
    @Consumes(MediaType.WILDCARD)
    public Response single(@HeaderParam("Host") String host, @HeaderParam("Authorization") String authorization,
            @HeaderParam("apikey") String apikey, @HeaderParam("Content-Type") String contentType,
            @PathParam("topic") String topic, @PathParam("event") String event,
            @QueryParam("private") String privateTopic, byte[] body) {
        Caller caller = authenticate(host, authorization, apikey);
        if (caller.refusal != null) {
            return caller.refusal;
        }
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
        UserBroadcast broadcast;
        byte[] payload = body == null ? new byte[0] : body;
        if (type.startsWith(MediaType.APPLICATION_JSON)) {
            try {
                broadcast = UserBroadcast.textFramed(event, new String(payload, java.nio.charset.StandardCharsets.UTF_8),
                        null);
            } catch (IllegalArgumentException e) {
                return error(422, "error", "The body is not valid JSON");
            }
        } else if (type.startsWith(MediaType.APPLICATION_OCTET_STREAM)) {
            broadcast = UserBroadcast.binaryFramed(event, UserBroadcast.Encoding.BINARY, payload, null);
        } else {
            return error(415, "error", "Unsupported Media Type. Use application/json or application/octet-stream");
        }
        ChannelTenant tenant = caller.tenant;
        if (broadcast.payloadSize() > tenant.maxPayloadBytes()) {
            return error(422, "message", "Payload size exceeds tenant limit");
        }
        if (caller.activity.events().reached(tenant.maxEventsPerSecond())) {
            return error(429, "message", "Too many requests");
        }
        send(caller, List.of(new Outgoing(new TopicKey(tenant.id(), "true".equalsIgnoreCase(privateTopic), topic),
                broadcast)));
        return accepted();
    }

    /**
     * CORS pre-flight: the API is open to browsers of any origin, as upstream's.
     *
     * @return 204 with the CORS headers
     */
    @OPTIONS
    @Path("{any: .*}")
    public Response preflight() {
        return Response.noContent()
                .header("Access-Control-Allow-Origin", "*")
                .header("Access-Control-Allow-Methods", "POST, OPTIONS")
                .header("Access-Control-Allow-Headers", "authorization, apikey, content-type, x-client-info")
                .build();
    }

    private Caller authenticate(String host, String authorization, String apikey) {
        TenantResolution resolution = tenants.resolve(host);
        if (resolution instanceof TenantResolution.NotFound notFound) {
            LOG.info(() -> "Broadcast API refused: " + LogText.of(notFound.explanation()));
            return Caller.refused(error(401, "message", "Tenant not found in database"));
        }
        TenantResolution.Found found = (TenantResolution.Found) resolution;
        ChannelTenant tenant = found.tenant();
        String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : apikey;
        TokenVerdict verdict = services.tokens().verify(tenant.id(), token);
        if (verdict instanceof TokenVerdict.Refused refused) {
            LOG.info(() -> LogText.tenant(tenant.id()) + ": broadcast API refused: " + refused.connectMessage());
            return Caller.refused(error(401, "message", "Unauthorized"));
        }
        if (found.suspended()) {
            LOG.info(() -> LogText.tenant(tenant.id()) + ": broadcast API refused: the tenant is suspended");
            return Caller.refused(error(403, "message", "Tenant is suspended"));
        }
        return new Caller(tenant, ((TokenVerdict.Accepted) verdict).claims(),
                services.registry().activity(tenant.id()), null);
    }

    private void send(Caller caller, List<Outgoing> outgoing) {
        Map<String, Boolean> writable = new HashMap<>();
        for (Outgoing message : outgoing) {
            TopicKey key = message.key();
            if (key.privateChannel() && !writable.computeIfAbsent(key.subTopic(), t -> mayWrite(caller, t))) {
                continue; // upstream skips private messages the sender may not write, silently
            }
            int delivered = services.registry().broadcast(key, message.broadcast(), null);
            RealtimeMetrics.tenant(key.tenantId()).broadcastReceived();
            caller.activity.events().add(1L + delivered);
        }
    }

    private boolean mayWrite(Caller caller, String subTopic) {
        try {
            return services.authorizer().authorize(caller.tenant.id(), subTopic, caller.claims,
                    services.joinDeadline()).broadcastWrite();
        } catch (ChannelAuthorizationException e) {
            LOG.info(() -> LogText.channel(caller.tenant.id(), "realtime:" + subTopic)
                    + " private: broadcast API write check failed: " + e.getMessage());
            return false;
        }
    }

    private static Response accepted() {
        return Response.accepted().header("Access-Control-Allow-Origin", "*").build();
    }

    private static Response error(int status, String field, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .header("Access-Control-Allow-Origin", "*")
                .entity("{\"" + field + "\":" + JsonText.quote(message) + "}")
                .build();
    }

    private record Outgoing(TopicKey key, UserBroadcast broadcast) {
    }

    private record Caller(ChannelTenant tenant, ClientClaims claims, TenantActivity activity, Response refusal) {
        static Caller refused(Response refusal) {
            return new Caller(null, null, null, refusal);
        }
    }
}
