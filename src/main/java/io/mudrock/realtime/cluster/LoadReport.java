package io.mudrock.realtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.channel.TenantLoad;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A node's tenants' load as its hello carries it: {@code {"<tenant>":[users,joins/s,events/s,presence/s]}}.
 */
final class LoadReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LoadReport() {
    }

    static String encode(Map<String, TenantLoad> loads) {
        ObjectNode body = JSON.createObjectNode();
        loads.forEach((tenant, load) -> body.putArray(tenant).add(load.users()).add(load.joinsPerSecond())
                .add(load.eventsPerSecond()).add(load.presenceEventsPerSecond()));
        return body.toString();
    }

    static Optional<Map<String, TenantLoad>> decode(String text) {
        try {
            JsonNode body = JSON.readTree(text);
            if (body == null || !body.isObject()) {
                return Optional.empty();
            }
            Map<String, TenantLoad> loads = new HashMap<>();
            body.fields().forEachRemaining(e -> {
                JsonNode f = e.getValue();
                if (f.isArray() && f.size() == 4) {
                    loads.put(e.getKey(), new TenantLoad(f.get(0).asInt(), f.get(1).asDouble(), f.get(2).asDouble(),
                            f.get(3).asDouble()));
                }
            });
            return Optional.of(loads);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
