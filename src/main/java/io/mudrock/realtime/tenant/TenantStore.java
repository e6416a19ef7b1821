package io.mudrock.realtime.tenant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Reads and writes tenants in {@code _realtime.tenants} and {@code _realtime.extensions}, the tables an
 * upstream server shares with us.
 *
 * <ul>
 *   <li>SQL is schema-qualified; nothing depends on {@code search_path}.</li>
 *   <li>Rows are read with {@code SELECT *}: a column that an older upstream schema lacks, or a null,
 *       gives the upstream default. Writes touch only columns that exist, discovered once.</li>
 *   <li>Secrets ({@code jwt_secret} and the extension settings {@code db_host}, {@code db_port},
 *       {@code db_name}, {@code db_user}, {@code db_password}) are encrypted here from plaintext input and
 *       decrypted on read; a stored value that is not properly encrypted is reported as a
 *       {@link SecretProblem} next to the tenant, never thrown.</li>
 *   <li>{@link #upsert} does not touch rows whose stored content would not change (so {@code updated_at}
 *       only moves on real changes), except to re-encrypt a secret that was stored badly.</li>
 * </ul>
 */
public final class TenantStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID_SQL = "SELECT external_id FROM _realtime.tenants";
    private static final String NOW_UTC = "(now() AT TIME ZONE 'utc')";
    private static final String UNIQUE_VIOLATION = "23505";

    /** The extension settings upstream encrypts. */
    static final List<String> ENCRYPTED_SETTINGS = List.of("db_host", "db_port", "db_name", "db_user", "db_password");

    /** Plain columns written from {@link TenantChanges}, with the value upstream's API puts on create. */
    private static final List<Column> COLUMNS = List.of(
            new Column("name", TenantChanges::name, null),
            new Column("jwt_jwks", TenantChanges::jwtJwks, null),
            new Column("max_concurrent_users", TenantChanges::maxConcurrentUsers, Tenant.DEFAULT_MAX_CONCURRENT_USERS),
            new Column("max_events_per_second", TenantChanges::maxEventsPerSecond, Tenant.DEFAULT_MAX_EVENTS_PER_SECOND),
            new Column("max_bytes_per_second", TenantChanges::maxBytesPerSecond, Tenant.DEFAULT_MAX_BYTES_PER_SECOND),
            new Column("max_channels_per_client", TenantChanges::maxChannelsPerClient,
                    Tenant.DEFAULT_MAX_CHANNELS_PER_CLIENT),
            new Column("max_joins_per_second", TenantChanges::maxJoinsPerSecond, Tenant.DEFAULT_MAX_JOINS_PER_SECOND),
            new Column("max_presence_events_per_second", TenantChanges::maxPresenceEventsPerSecond, null),
            new Column("max_payload_size_in_kb", TenantChanges::maxPayloadSizeInKb, null),
            new Column("max_client_presence_events_per_window", TenantChanges::maxClientPresenceEventsPerWindow, null),
            new Column("client_presence_window_ms", TenantChanges::clientPresenceWindowMs, null),
            new Column("presence_enabled", TenantChanges::presenceEnabled, null),
            new Column("private_only", TenantChanges::privateOnly, null),
            new Column("suspend", TenantChanges::suspend, null),
            new Column("postgres_cdc_default", TenantChanges::postgresCdcDefault, null),
            new Column("migrations_ran", TenantChanges::migrationsRan, null),
            new Column("broadcast_adapter", TenantChanges::broadcastAdapter, null),
            new Column("feature_flags", TenantChanges::featureFlags, null));

    private final DataSource dataSource;
    private final SecretCipher cipher;
    private volatile Map<String, String> tenantColumns; // name → data_type, discovered once

    /**
     * @param dataSource the management database
     * @param cipher     the cipher built from {@code DB_ENC_KEY} / {@code DB_ENC_KEY_GCM}
     */
    public TenantStore(DataSource dataSource, SecretCipher cipher) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    /** The tenant with this external id, if any. */
    public Optional<StoredTenant> findByExternalId(String externalId) {
        try (Connection c = dataSource.getConnection()) {
            Map<String, Object> row = selectTenant(c, externalId, false);
            return row == null ? Optional.empty() : Optional.of(toStored(row, selectExtensions(c, externalId)));
        } catch (SQLException e) {
            throw new TenantStoreException("reading tenant '" + externalId + "' failed", e);
        }
    }

    /** Every tenant, ordered by external id. */
    public List<StoredTenant> listAll() {
        try (Connection c = dataSource.getConnection()) {
            Map<String, List<Map<String, Object>>> extensions = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM _realtime.extensions");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = readRow(rs);
                    extensions.computeIfAbsent((String) row.get("tenant_external_id"), k -> new ArrayList<>()).add(row);
                }
            }
            List<StoredTenant> tenants = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM _realtime.tenants ORDER BY external_id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = readRow(rs);
                    tenants.add(toStored(row, extensions.getOrDefault((String) row.get("external_id"), List.of())));
                }
            }
            return tenants;
        } catch (SQLException e) {
            throw new TenantStoreException("listing tenants failed", e);
        }
    }

    /** The external ids of every tenant, for {@link TenantHostResolver}. */
    public KnownTenants knownTenants() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(ID_SQL);
             ResultSet rs = ps.executeQuery()) {
            Set<String> ids = new HashSet<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return new KnownTenants(ids);
        } catch (SQLException e) {
            throw new TenantStoreException("listing tenant ids failed", e);
        }
    }

    /**
     * Creates the tenant or updates it by external id, encrypting secrets from the plaintext input.
     *
     * @throws InvalidTenantException when the changes cannot be stored, with upstream-style messages
     */
    public UpsertResult upsert(TenantChanges changes) {
        List<NormalizedExtension> extensions = validate(changes);
        try {
            return upsertOnce(changes, extensions);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new TenantStoreException("saving tenant '" + changes.externalId() + "' failed", e);
            }
        }
        try { // a concurrent create won the race: now it is an update
            return upsertOnce(changes, extensions);
        } catch (SQLException e) {
            throw new TenantStoreException("saving tenant '" + changes.externalId() + "' failed", e);
        }
    }

    /** Deletes the tenant and its extensions; false when it did not exist. */
    public boolean delete(String externalId) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // explicit, because the cascade may be missing on hand-made schemas
                update(c, "DELETE FROM _realtime.extensions WHERE tenant_external_id = ?", externalId);
                int deleted = update(c, "DELETE FROM _realtime.tenants WHERE external_id = ?", externalId);
                c.commit();
                return deleted > 0;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new TenantStoreException("deleting tenant '" + externalId + "' failed", e);
        }
    }

    private UpsertResult upsertOnce(TenantChanges changes, List<NormalizedExtension> extensions) throws SQLException {
        String externalId = changes.externalId();
        boolean created;
        boolean changed;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<String, String> columns = tenantColumns(c);
                if (changes.jwtJwks() != null && !columns.containsKey("jwt_jwks")) {
                    throw new InvalidTenantException(Map.of("jwt_jwks", List.of(
                            "is not supported by this _realtime.tenants table (an older upstream schema)")));
                }
                Map<String, Object> existing = selectTenant(c, externalId, true);
                created = existing == null;
                if (created) {
                    if (changes.jwtSecret() == null && changes.jwtJwks() == null) {
                        throw new InvalidTenantException(Map.of("jwt_secret",
                                List.of("either jwt_secret or jwt_jwks must be provided")));
                    }
                    insertTenant(c, columns, changes);
                    changed = true;
                } else {
                    changed = updateTenant(c, columns, changes, existing);
                }
                if (extensions != null) {
                    changed |= replaceExtensions(c, externalId, extensions, created);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        StoredTenant stored = findByExternalId(externalId).orElseThrow(
                () -> new TenantStoreException("tenant '" + externalId + "' vanished after saving", null));
        return new UpsertResult(stored, created, changed);
    }

    private void insertTenant(Connection c, Map<String, String> columns, TenantChanges changes) throws SQLException {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", UUID.randomUUID());
        values.put("external_id", changes.externalId());
        if (changes.jwtSecret() != null) {
            values.put("jwt_secret", cipher.encrypt(changes.jwtSecret()));
        }
        for (Column column : COLUMNS) {
            Object value = column.getter.apply(changes);
            if (value == null) {
                value = "name".equals(column.name) ? changes.externalId() : column.createDefault;
            }
            if (value != null && columns.containsKey(column.name)) {
                values.put(column.name, value);
            }
        }
        StringBuilder names = new StringBuilder();
        StringBuilder marks = new StringBuilder();
        for (String name : values.keySet()) {
            names.append(name).append(", ");
            marks.append(placeholder(columns, name)).append(", ");
        }
        String sql = "INSERT INTO _realtime.tenants (" + names + "inserted_at, updated_at) VALUES ("
                + marks + NOW_UTC + ", " + NOW_UTC + ")";
        update(c, sql, values.values().toArray());
    }

    private boolean updateTenant(Connection c, Map<String, String> columns, TenantChanges changes,
                                 Map<String, Object> existing) throws SQLException {
        Map<String, Object> values = new LinkedHashMap<>();
        if (changes.jwtSecret() != null) {
            Object stored = existing.get("jwt_secret");
            SecretCipher.Decryption current = stored instanceof String s ? cipher.decrypt(s) : null;
            boolean same = current != null && current.outcome().clean() && changes.jwtSecret().equals(current.value());
            if (!same) {
                values.put("jwt_secret", cipher.encrypt(changes.jwtSecret()));
            }
        }
        for (Column column : COLUMNS) {
            Object value = column.getter.apply(changes);
            if (value != null && columns.containsKey(column.name) && !sameValue(existing.get(column.name), value)) {
                values.put(column.name, value);
            }
        }
        if (values.isEmpty()) {
            return false;
        }
        StringBuilder set = new StringBuilder();
        for (String name : values.keySet()) {
            set.append(name).append(" = ").append(placeholder(columns, name)).append(", ");
        }
        List<Object> params = new ArrayList<>(values.values());
        params.add(changes.externalId());
        update(c, "UPDATE _realtime.tenants SET " + set + "updated_at = " + NOW_UTC + " WHERE external_id = ?",
                params.toArray());
        return true;
    }

    /** Replaces the extensions unless the stored ones already decrypt to the same settings. */
    private boolean replaceExtensions(Connection c, String externalId, List<NormalizedExtension> wanted,
                                      boolean created) throws SQLException {
        if (!created && sameExtensions(selectExtensions(c, externalId), wanted)) {
            return false;
        }
        update(c, "DELETE FROM _realtime.extensions WHERE tenant_external_id = ?", externalId);
        for (NormalizedExtension extension : wanted) {
            ObjectNode encrypted = extension.settings.deepCopy();
            for (String key : ENCRYPTED_SETTINGS) {
                encrypted.put(key, cipher.encrypt(extension.settings.get(key).asText()));
            }
            update(c, "INSERT INTO _realtime.extensions (id, type, settings, tenant_external_id, inserted_at, updated_at)"
                            + " VALUES (?, ?, ?::jsonb, ?, " + NOW_UTC + ", " + NOW_UTC + ")",
                    UUID.randomUUID(), extension.type, encrypted.toString(), externalId);
        }
        return true;
    }

    private boolean sameExtensions(List<Map<String, Object>> stored, List<NormalizedExtension> wanted) {
        if (stored.size() != wanted.size()) {
            return false;
        }
        Map<String, JsonNode> current = new HashMap<>();
        for (Map<String, Object> row : stored) {
            JsonNode settings = parseJson((String) row.get("settings"));
            if (!(settings instanceof ObjectNode object)) {
                return false;
            }
            ObjectNode plain = object.deepCopy();
            for (String key : ENCRYPTED_SETTINGS) {
                JsonNode value = object.get(key);
                SecretCipher.Decryption d = value != null && value.isTextual() ? cipher.decrypt(value.asText()) : null;
                if (d == null || !d.outcome().clean()) {
                    return false; // rewrite badly stored secrets even when the plaintext matches
                }
                plain.put(key, d.value());
            }
            current.put((String) row.get("type"), plain);
        }
        for (NormalizedExtension extension : wanted) {
            if (!extension.settings.equals(current.get(extension.type))) {
                return false;
            }
        }
        return true;
    }

    // ---- validation ------------------------------------------------------------------------------

    private static List<NormalizedExtension> validate(TenantChanges changes) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        if (changes.externalId() == null || changes.externalId().isBlank()) {
            errors.computeIfAbsent("external_id", k -> new ArrayList<>()).add("can't be blank");
        }
        if (changes.jwtJwks() != null && !(parseJson(changes.jwtJwks()) instanceof ObjectNode)) {
            errors.computeIfAbsent("jwt_jwks", k -> new ArrayList<>()).add("is invalid");
        }
        if (changes.featureFlags() != null && !(parseJson(changes.featureFlags()) instanceof ObjectNode)) {
            errors.computeIfAbsent("feature_flags", k -> new ArrayList<>()).add("is invalid");
        }
        List<NormalizedExtension> extensions = null;
        if (changes.extensions() != null) {
            List<String> messages = new ArrayList<>();
            extensions = new ArrayList<>();
            for (ExtensionChange change : changes.extensions()) {
                NormalizedExtension normalized = normalize(change, messages);
                if (normalized != null) {
                    extensions.add(normalized);
                }
            }
            if (!messages.isEmpty()) {
                errors.put("extensions", messages);
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidTenantException(errors);
        }
        return extensions;
    }

    /** Upstream's rules: rename {@code postgres}, merge over defaults, require six string settings. */
    private static NormalizedExtension normalize(ExtensionChange change, List<String> messages) {
        String type = "postgres".equals(change.type()) ? PostgresCdcSettings.TYPE : change.type();
        if (type == null || type.isBlank()) {
            messages.add("type can't be blank");
            return null;
        }
        if (!PostgresCdcSettings.TYPE.equals(type)) {
            messages.add("type is invalid");
            return null;
        }
        ObjectNode settings = JSON.createObjectNode();
        settings.put("poll_interval_ms", PostgresCdcSettings.DEFAULT_POLL_INTERVAL_MS);
        settings.put("poll_max_changes", PostgresCdcSettings.DEFAULT_POLL_MAX_CHANGES);
        settings.put("poll_max_record_bytes", PostgresCdcSettings.DEFAULT_POLL_MAX_RECORD_BYTES);
        settings.put("publication", PostgresCdcSettings.DEFAULT_PUBLICATION);
        settings.put("slot_name", PostgresCdcSettings.DEFAULT_SLOT_NAME);
        ObjectNode given = JSON.valueToTree(change.settings());
        if (given.get("db_port") != null && given.get("db_port").canConvertToExactIntegral()) {
            given.put("db_port", given.get("db_port").asText()); // upstream stores the port as a string
        }
        settings.setAll(given);
        int before = messages.size();
        for (String key : List.of("region", "db_host", "db_port", "db_name", "db_user", "db_password")) {
            JsonNode value = settings.get(key);
            if (value == null || value.isNull()) {
                messages.add(key + " can't be blank");
            } else if (!value.isTextual()) {
                messages.add(key + " is invalid");
            }
        }
        return messages.size() == before ? new NormalizedExtension(type, settings) : null;
    }

    // ---- reading ---------------------------------------------------------------------------------

    private StoredTenant toStored(Map<String, Object> row, List<Map<String, Object>> extensions) {
        String externalId = (String) row.get("external_id");
        List<SecretProblem> problems = new ArrayList<>();
        String secret = row.get("jwt_secret") instanceof String s ? decrypt(externalId, "jwt_secret", s, problems) : null;
        Object id = row.get("id");
        Tenant tenant = new Tenant(
                id instanceof UUID uuid ? uuid : id == null ? null : UUID.fromString(id.toString()),
                externalId,
                (String) row.get("name"),
                secret,
                (String) row.get("jwt_jwks"),
                intOr(row.get("max_concurrent_users"), Tenant.DEFAULT_MAX_CONCURRENT_USERS),
                intOr(row.get("max_events_per_second"), Tenant.DEFAULT_MAX_EVENTS_PER_SECOND),
                intOr(row.get("max_bytes_per_second"), Tenant.DEFAULT_MAX_BYTES_PER_SECOND),
                intOr(row.get("max_channels_per_client"), Tenant.DEFAULT_MAX_CHANNELS_PER_CLIENT),
                intOr(row.get("max_joins_per_second"), Tenant.DEFAULT_MAX_JOINS_PER_SECOND),
                intOr(row.get("max_presence_events_per_second"), Tenant.DEFAULT_MAX_PRESENCE_EVENTS_PER_SECOND),
                intOr(row.get("max_payload_size_in_kb"), Tenant.DEFAULT_MAX_PAYLOAD_SIZE_IN_KB),
                row.get("max_client_presence_events_per_window") instanceof Number n ? n.intValue() : null,
                row.get("client_presence_window_ms") instanceof Number n ? n.intValue() : null,
                Boolean.TRUE.equals(row.get("presence_enabled")),
                Boolean.TRUE.equals(row.get("private_only")),
                Boolean.TRUE.equals(row.get("suspend")),
                row.get("postgres_cdc_default") instanceof String s ? s : Tenant.DEFAULT_POSTGRES_CDC,
                intOr(row.get("migrations_ran"), 0),
                row.get("broadcast_adapter") instanceof String s ? s : Tenant.DEFAULT_BROADCAST_ADAPTER,
                row.get("feature_flags") instanceof String s ? s : "{}",
                (Instant) row.get("inserted_at"),
                (Instant) row.get("updated_at"),
                postgresCdc(externalId, extensions, problems));
        return new StoredTenant(tenant, problems);
    }

    private PostgresCdcSettings postgresCdc(String externalId, List<Map<String, Object>> extensions,
                                            List<SecretProblem> problems) {
        for (Map<String, Object> row : extensions) {
            if (PostgresCdcSettings.TYPE.equals(row.get("type"))
                    && parseJson((String) row.get("settings")) instanceof ObjectNode s) {
                Map<String, String> secrets = new HashMap<>();
                for (String key : ENCRYPTED_SETTINGS) {
                    JsonNode value = s.get(key);
                    if (value != null && value.isValueNode() && !value.isNull()) {
                        secrets.put(key, decrypt(externalId, "extensions." + PostgresCdcSettings.TYPE + "." + key,
                                value.asText(), problems));
                    }
                }
                return new PostgresCdcSettings(
                        secrets.get("db_host"), secrets.get("db_port"), secrets.get("db_name"),
                        secrets.get("db_user"), secrets.get("db_password"),
                        text(s, "region", null),
                        text(s, "publication", PostgresCdcSettings.DEFAULT_PUBLICATION),
                        text(s, "slot_name", PostgresCdcSettings.DEFAULT_SLOT_NAME),
                        bool(s.get("ssl_enforced"), PostgresCdcSettings.DEFAULT_SSL_ENFORCED),
                        integer(s.get("poll_interval_ms"), PostgresCdcSettings.DEFAULT_POLL_INTERVAL_MS),
                        integer(s.get("poll_max_changes"), PostgresCdcSettings.DEFAULT_POLL_MAX_CHANGES),
                        integer(s.get("poll_max_record_bytes"), PostgresCdcSettings.DEFAULT_POLL_MAX_RECORD_BYTES),
                        integer(s.get("db_pool"), PostgresCdcSettings.DEFAULT_DB_POOL),
                        integer(s.get("subcriber_pool_size"), PostgresCdcSettings.DEFAULT_SUBSCRIBER_POOL_SIZE));
            }
        }
        return null;
    }

    private String decrypt(String externalId, String field, String stored, List<SecretProblem> problems) {
        SecretCipher.Decryption d = cipher.decrypt(stored);
        if (!d.outcome().clean()) {
            problems.add(SecretProblem.of(externalId, field, d.outcome()));
        }
        return d.value();
    }

    private static String text(JsonNode settings, String key, String fallback) {
        JsonNode value = settings.get(key);
        return value != null && value.isTextual() ? value.asText() : fallback;
    }

    /** Accepts JSON booleans and, leniently, the strings "true"/"false" (upstream would enforce TLS). */
    private static boolean bool(JsonNode value, boolean fallback) {
        if (value != null && value.isBoolean()) {
            return value.booleanValue();
        }
        if (value != null && value.isTextual()
                && ("true".equalsIgnoreCase(value.asText()) || "false".equalsIgnoreCase(value.asText()))) {
            return Boolean.parseBoolean(value.asText());
        }
        return fallback;
    }

    private static int integer(JsonNode value, int fallback) {
        if (value != null && value.canConvertToInt()) {
            return value.intValue();
        }
        if (value != null && value.isTextual()) {
            try {
                return Integer.parseInt(value.asText().trim());
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    private static int intOr(Object value, int fallback) {
        return value instanceof Number n ? n.intValue() : fallback;
    }

    private static JsonNode parseJson(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static boolean sameValue(Object stored, Object wanted) {
        if (stored instanceof Number a && wanted instanceof Number b) {
            return a.longValue() == b.longValue();
        }
        if (stored instanceof String a && wanted instanceof String b && (a.startsWith("{") || a.startsWith("["))) {
            JsonNode left = parseJson(a);
            return left != null ? left.equals(parseJson(b)) : a.equals(b);
        }
        return Objects.equals(stored, wanted);
    }

    // ---- JDBC helpers ----------------------------------------------------------------------------

    private Map<String, Object> selectTenant(Connection c, String externalId, boolean forUpdate) throws SQLException {
        String sql = "SELECT * FROM _realtime.tenants WHERE external_id = ?" + (forUpdate ? " FOR UPDATE" : "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, externalId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? readRow(rs) : null;
            }
        }
    }

    private List<Map<String, Object>> selectExtensions(Connection c, String externalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT * FROM _realtime.extensions WHERE tenant_external_id = ? ORDER BY type")) {
            ps.setString(1, externalId);
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(readRow(rs));
                }
                return rows;
            }
        }
    }

    /** A row as column name → value; JSON as text, timestamps as UTC instants. */
    private static Map<String, Object> readRow(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            String type = meta.getColumnTypeName(i);
            Object value;
            if (type.startsWith("json")) {
                value = rs.getString(i);
            } else if ("timestamp".equals(type)) { // upstream stores UTC without a zone
                LocalDateTime time = rs.getObject(i, LocalDateTime.class);
                value = time == null ? null : time.toInstant(ZoneOffset.UTC);
            } else if ("timestamptz".equals(type)) {
                OffsetDateTime time = rs.getObject(i, OffsetDateTime.class);
                value = time == null ? null : time.toInstant();
            } else {
                value = rs.getObject(i);
            }
            row.put(meta.getColumnName(i), value);
        }
        return row;
    }

    private Map<String, String> tenantColumns(Connection c) throws SQLException {
        Map<String, String> columns = tenantColumns;
        if (columns == null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT column_name, data_type FROM information_schema.columns"
                    + " WHERE table_schema = '_realtime' AND table_name = 'tenants'");
                 ResultSet rs = ps.executeQuery()) {
                Map<String, String> found = new HashMap<>();
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getString(2));
                }
                columns = Map.copyOf(found);
            }
            tenantColumns = columns;
        }
        return columns;
    }

    private static String placeholder(Map<String, String> columns, String name) {
        String type = columns.get(name);
        return "jsonb".equals(type) || "json".equals(type) ? "?::" + type : "?";
    }

    private static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    /**
     * What {@link #upsert} did.
     *
     * @param stored  the tenant as now stored
     * @param created whether it was created
     * @param changed whether anything was written
     */
    public record UpsertResult(StoredTenant stored, boolean created, boolean changed) {
    }

    private record Column(String name, Function<TenantChanges, Object> getter, Object createDefault) {
    }

    private record NormalizedExtension(String type, ObjectNode settings) {
    }
}
