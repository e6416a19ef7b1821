package io.mudrock.realtime.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mudrock.realtime.tenant.ExtensionChange;
import io.mudrock.realtime.tenant.PostgresCdcSettings;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.tenant.TenantChanges;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Upstream's tenant JSON: the request body {@code {"tenant":{...}}} read into
 * {@link TenantChanges} with field errors in upstream's words, and the response object, which
 * never carries the JWT secret or the database password.
 */
final class TenantJson {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter NAIVE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private TenantJson() {
    }

    /** The result of reading a request body: changes, or field errors. */
    record Parsed(TenantChanges changes, Map<String, List<String>> errors) {
    }

    /**
     * Reads {@code {"tenant":{...}}}.
     *
     * @param pathId the id from the URL (PUT/PATCH), or null (POST: {@code external_id} is required)
     */
    static Parsed parse(JsonNode body, String pathId) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        JsonNode tenant = body == null ? null : body.get("tenant");
        if (tenant == null || !tenant.isObject()) {
            errors.put("tenant", List.of("can't be blank"));
            return new Parsed(null, errors);
        }
        String externalId = pathId != null ? pathId : text(tenant, "external_id", errors);
        if (externalId == null || externalId.isBlank()) {
            errors.putIfAbsent("external_id", List.of("can't be blank"));
            return new Parsed(null, errors);
        }
        TenantChanges.Builder changes = TenantChanges.builder(externalId);
        set(changes::name, text(tenant, "name", errors));
        set(changes::jwtSecret, text(tenant, "jwt_secret", errors));
        set(changes::jwtJwks, object(tenant, "jwt_jwks", errors));
        set(changes::maxConcurrentUsers, integer(tenant, "max_concurrent_users", errors));
        set(changes::maxEventsPerSecond, integer(tenant, "max_events_per_second", errors));
        set(changes::maxBytesPerSecond, integer(tenant, "max_bytes_per_second", errors));
        set(changes::maxChannelsPerClient, integer(tenant, "max_channels_per_client", errors));
        set(changes::maxJoinsPerSecond, integer(tenant, "max_joins_per_second", errors));
        set(changes::maxPresenceEventsPerSecond, integer(tenant, "max_presence_events_per_second", errors));
        set(changes::maxPayloadSizeInKb, integer(tenant, "max_payload_size_in_kb", errors));
        set(changes::maxClientPresenceEventsPerWindow, integer(tenant, "max_client_presence_events_per_window", errors));
        set(changes::clientPresenceWindowMs, integer(tenant, "client_presence_window_ms", errors));
        set(changes::presenceEnabled, bool(tenant, "presence_enabled", errors));
        set(changes::privateOnly, bool(tenant, "private_only", errors));
        set(changes::suspend, bool(tenant, "suspend", errors));
        set(changes::postgresCdcDefault, text(tenant, "postgres_cdc_default", errors));
        set(changes::migrationsRan, integer(tenant, "migrations_ran", errors));
        set(changes::broadcastAdapter, text(tenant, "broadcast_adapter", errors));
        set(changes::featureFlags, object(tenant, "feature_flags", errors));
        JsonNode extensions = tenant.get("extensions");
        if (extensions != null && !extensions.isNull()) {
            if (!extensions.isArray()) {
                errors.put("extensions", List.of("is invalid"));
            } else {
                List<ExtensionChange> list = new ArrayList<>();
                for (JsonNode extension : extensions) {
                    JsonNode type = extension.get("type");
                    JsonNode settings = extension.get("settings");
                    if (type == null || !type.isTextual() || settings == null || !settings.isObject()) {
                        errors.put("extensions", List.of("is invalid"));
                        break;
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> values = MAPPER.convertValue(settings, Map.class);
                    list.add(new ExtensionChange(type.asText(), values));
                }
                changes.extensions(list);
            }
        }
        return new Parsed(errors.isEmpty() ? changes.build() : null, errors);
    }

    /** The response object of one tenant, without secrets. */
    static ObjectNode render(Tenant tenant) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("id", tenant.id() == null ? null : tenant.id().toString());
        json.put("external_id", tenant.externalId());
        json.put("name", tenant.name());
        json.put("max_concurrent_users", tenant.maxConcurrentUsers());
        json.put("max_channels_per_client", tenant.maxChannelsPerClient());
        json.put("max_events_per_second", tenant.maxEventsPerSecond());
        json.put("max_joins_per_second", tenant.maxJoinsPerSecond());
        json.put("max_presence_events_per_second", tenant.maxPresenceEventsPerSecond());
        json.put("max_payload_size_in_kb", tenant.maxPayloadSizeInKb());
        json.put("max_bytes_per_second", tenant.maxBytesPerSecond());
        json.put("private_only", tenant.privateOnly());
        json.put("presence_enabled", tenant.presenceEnabled());
        json.put("suspend", tenant.suspend());
        json.put("max_client_presence_events_per_window", tenant.maxClientPresenceEventsPerWindow());
        json.put("client_presence_window_ms", tenant.clientPresenceWindowMs());
        json.put("jwt_jwks_configured", tenant.jwtJwks() != null);
        json.put("inserted_at", tenant.insertedAt() == null ? null : NAIVE.format(tenant.insertedAt()));
        json.put("updated_at", tenant.updatedAt() == null ? null : NAIVE.format(tenant.updatedAt()));
        ArrayNode extensions = json.putArray("extensions");
        PostgresCdcSettings cdc = tenant.postgresCdc();
        if (cdc != null) {
            ObjectNode extension = extensions.addObject().put("type", PostgresCdcSettings.TYPE);
            extension.putObject("settings")
                    .put("db_host", cdc.dbHost())
                    .put("db_port", cdc.dbPort())
                    .put("db_name", cdc.dbName())
                    .put("db_user", cdc.dbUser())
                    .put("region", cdc.region())
                    .put("publication", cdc.publication())
                    .put("slot_name", cdc.slotName())
                    .put("ssl_enforced", cdc.sslEnforced());
        }
        return json;
    }

    private static <T> void set(Consumer<T> setter, T value) {
        if (value != null) {
            setter.accept(value);
        }
    }

    private static String text(JsonNode tenant, String field, Map<String, List<String>> errors) {
        JsonNode value = tenant.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            errors.put(field, List.of("is invalid"));
            return null;
        }
        return value.asText();
    }

    private static Integer integer(JsonNode tenant, String field, Map<String, List<String>> errors) {
        JsonNode value = tenant.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.canConvertToInt() && value.isIntegralNumber() && value.asInt() >= 0) {
            return value.asInt();
        }
        if (value.isTextual() && value.asText().matches("\\d{1,9}")) {
            return Integer.valueOf(value.asText());
        }
        errors.put(field, List.of("is invalid"));
        return null;
    }

    private static Boolean bool(JsonNode tenant, String field, Map<String, List<String>> errors) {
        JsonNode value = tenant.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isTextual() && ("true".equalsIgnoreCase(value.asText()) || "false".equalsIgnoreCase(value.asText()))) {
            return Boolean.valueOf(value.asText());
        }
        errors.put(field, List.of("is invalid"));
        return null;
    }

    private static String object(JsonNode tenant, String field, Map<String, List<String>> errors) {
        JsonNode value = tenant.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            errors.put(field, List.of("is invalid"));
            return null;
        }
        return value.toString();
    }
}
