package io.mudrock.realtime.tenant;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Reads and writes a tenant's opaque API keys in {@code _realtime.api_keys}. Only the SHA-256 of a
 * key is written; the key itself is never stored, logged or read back. Rows go with their tenant
 * ({@code ON DELETE CASCADE}).
 */
public final class ApiKeyStore {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String COLUMNS = "id, tenant_external_id, type, name, key_hint, inserted_at";

    private final DataSource dataSource;

    /** @param dataSource the management database */
    public ApiKeyStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Registers a key under a name unique for the tenant.
     *
     * @return the stored key's description
     * @throws InvalidTenantException (field {@code name} or {@code api_key}) when the name is taken or
     *     the key is already registered (for any tenant)
     */
    public ApiKey register(String tenantExternalId, ApiKeyKind kind, String name, String key) {
        UUID id = UUID.randomUUID();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO _realtime.api_keys (id, tenant_external_id, type,"
                     + " name, key_hash, key_hint) VALUES (?, ?, ?, ?, ?, ?) RETURNING " + COLUMNS)) {
            ps.setObject(1, id);
            ps.setString(2, tenantExternalId);
            ps.setString(3, kind.type());
            ps.setString(4, name);
            ps.setBytes(5, ApiKeyFormat.hash(key));
            ps.setString(6, ApiKeyFormat.hint(kind, key));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return read(rs);
            }
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                boolean nameTaken = String.valueOf(e.getMessage()).contains("name");
                throw new InvalidTenantException(nameTaken
                        ? Map.of("name", List.of("has already been taken"))
                        : Map.of("api_key", List.of("is already registered")));
            }
            throw new TenantStoreException("registering an API key for tenant '" + tenantExternalId + "' failed", e);
        }
    }

    /**
     * Makes {@code name} the tenant's key {@code key}: registers it, or replaces the hash stored
     * under that name when it differs (the embedded default's keys after a new {@code JWT_SECRET}).
     *
     * @return whether anything was written
     */
    public boolean put(String tenantExternalId, ApiKeyKind kind, String name, String key) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO _realtime.api_keys (id, tenant_external_id, type,"
                     + " name, key_hash, key_hint) VALUES (?, ?, ?, ?, ?, ?)"
                     + " ON CONFLICT (tenant_external_id, name) DO UPDATE SET type = EXCLUDED.type,"
                     + " key_hash = EXCLUDED.key_hash, key_hint = EXCLUDED.key_hint,"
                     + " inserted_at = (now() AT TIME ZONE 'utc')"
                     + " WHERE _realtime.api_keys.key_hash <> EXCLUDED.key_hash"
                     + " OR _realtime.api_keys.type <> EXCLUDED.type")) {
            ps.setObject(1, UUID.randomUUID());
            ps.setString(2, tenantExternalId);
            ps.setString(3, kind.type());
            ps.setString(4, name);
            ps.setBytes(5, ApiKeyFormat.hash(key));
            ps.setString(6, ApiKeyFormat.hint(kind, key));
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new TenantStoreException("storing API key '" + name + "' of tenant '" + tenantExternalId + "' failed", e);
        }
    }

    /** The tenant's keys, oldest first. */
    public List<ApiKey> list(String tenantExternalId) {
        List<ApiKey> keys = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM _realtime.api_keys"
                     + " WHERE tenant_external_id = ? ORDER BY inserted_at, name")) {
            ps.setString(1, tenantExternalId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(read(rs));
                }
            }
            return keys;
        } catch (SQLException e) {
            throw new TenantStoreException("listing the API keys of tenant '" + tenantExternalId + "' failed", e);
        }
    }

    /**
     * The tenant's keys by the SHA-256 of each key, what a connection's key is looked up in.
     *
     * @return hash (wrapped, compared by content) to key
     */
    public Map<ByteBuffer, ApiKey> byHash(String tenantExternalId) {
        Map<ByteBuffer, ApiKey> keys = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", key_hash FROM _realtime.api_keys"
                     + " WHERE tenant_external_id = ?")) {
            ps.setString(1, tenantExternalId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.put(ByteBuffer.wrap(rs.getBytes("key_hash")), read(rs));
                }
            }
            return keys;
        } catch (SQLException e) {
            throw new TenantStoreException("reading the API keys of tenant '" + tenantExternalId + "' failed", e);
        }
    }

    /**
     * Revokes (deletes) one key of the tenant.
     *
     * @return the key that was revoked, or empty when the tenant has no key with that id
     */
    public Optional<ApiKey> revoke(String tenantExternalId, UUID id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM _realtime.api_keys"
                     + " WHERE tenant_external_id = ? AND id = ? RETURNING " + COLUMNS)) {
            ps.setString(1, tenantExternalId);
            ps.setObject(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new TenantStoreException("revoking an API key of tenant '" + tenantExternalId + "' failed", e);
        }
    }

    private static ApiKey read(ResultSet rs) throws SQLException {
        Timestamp inserted = rs.getTimestamp("inserted_at");
        return new ApiKey(rs.getObject("id", UUID.class), rs.getString("tenant_external_id"),
                ApiKeyKind.ofType(rs.getString("type")).orElseThrow(), rs.getString("name"), rs.getString("key_hint"),
                inserted.toLocalDateTime().toInstant(ZoneOffset.UTC));
    }
}
