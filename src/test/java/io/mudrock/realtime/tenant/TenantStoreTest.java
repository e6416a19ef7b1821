package io.mudrock.realtime.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mudrock.realtime.tenant.SecretCipher.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TenantStoreTest {

    private static final String DB_ENC_KEY = "supabaserealtime";
    private static final String SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DataSource dataSource;
    private SecretCipher cipher;
    private TenantStore store;

    @BeforeEach
    void setUp() {
        dataSource = ManagementDatabase.fresh();
        cipher = new SecretCipher(DB_ENC_KEY, null);
        store = new TenantStore(dataSource, cipher);
    }

    static Map<String, Object> cdcSettings(String password) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("db_host", "db.internal");
        settings.put("db_port", 5432); // a number: stored as the string "5432"
        settings.put("db_name", "postgres");
        settings.put("db_user", "supabase_admin");
        settings.put("db_password", password);
        settings.put("region", "eu-central-1");
        return settings;
    }

    private TenantStore.UpsertResult createAcme() {
        return store.upsert(TenantChanges.builder("acme")
                .jwtSecret(SECRET)
                .maxConcurrentUsers(50)
                .extensions(List.of(new ExtensionChange("postgres", cdcSettings("pw-1"))))
                .build());
    }

    @Test
    void createsWithUpstreamDefaultsAndReadsBack() {
        TenantStore.UpsertResult result = createAcme();
        assertTrue(result.created());
        assertTrue(result.changed());
        assertEquals(List.of(), result.stored().problems());

        Tenant t = store.findByExternalId("acme").orElseThrow().tenant();
        assertEquals(result.stored().tenant(), t);
        assertEquals("acme", t.name(), "name defaults to the external id");
        assertEquals(SECRET, t.jwtSecret());
        assertNull(t.jwtJwks());
        assertEquals(50, t.maxConcurrentUsers());
        assertEquals(100, t.maxEventsPerSecond());
        assertEquals(100_000, t.maxBytesPerSecond());
        assertEquals(100, t.maxChannelsPerClient());
        assertEquals(100, t.maxJoinsPerSecond(), "the API default, not the column default 500");
        assertEquals(1000, t.maxPresenceEventsPerSecond());
        assertEquals(3000, t.maxPayloadSizeInKb());
        assertNull(t.maxClientPresenceEventsPerWindow());
        assertFalse(t.suspend() || t.privateOnly() || t.presenceEnabled());
        assertEquals("postgres_cdc_rls", t.postgresCdcDefault());
        assertEquals("gen_rpc", t.broadcastAdapter());
        assertTrue(t.insertedAt() != null && t.updatedAt() != null && t.id() != null);

        PostgresCdcSettings cdc = t.postgresCdc();
        assertEquals(new PostgresCdcSettings("db.internal", "5432", "postgres", "supabase_admin", "pw-1",
                "eu-central-1", "supabase_realtime", "supabase_realtime_replication_slot", true, 100, 100,
                1_048_576, 1, 4), cdc);
    }

    @Test
    void secretsAreEncryptedAtRest() throws Exception {
        createAcme();
        String storedSecret = queryString("SELECT jwt_secret FROM _realtime.tenants WHERE external_id = 'acme'");
        assertNotEquals(SECRET, storedSecret);
        assertEquals(new SecretCipher.Decryption(SECRET, Outcome.DECRYPTED_LEGACY), cipher.decrypt(storedSecret));

        assertEquals("postgres_cdc_rls",
                queryString("SELECT type FROM _realtime.extensions WHERE tenant_external_id = 'acme'"));
        JsonNode settings = JSON.readTree(
                queryString("SELECT settings::text FROM _realtime.extensions WHERE tenant_external_id = 'acme'"));
        Map<String, String> plain = Map.of("db_host", "db.internal", "db_port", "5432", "db_name", "postgres",
                "db_user", "supabase_admin", "db_password", "pw-1");
        for (Map.Entry<String, String> e : plain.entrySet()) {
            JsonNode stored = settings.get(e.getKey());
            assertTrue(stored.isTextual(), e.getKey() + " is stored as a string");
            assertNotEquals(e.getValue(), stored.asText(), e.getKey() + " must not be plaintext");
            assertEquals(e.getValue(), cipher.decrypt(stored.asText()).value(), e.getKey());
        }
        assertEquals("eu-central-1", settings.get("region").asText(), "region is not a secret");
        assertEquals(100, settings.get("poll_interval_ms").asInt(), "defaults are merged in");
    }

    @Test
    void writesGcmWhenAGcmKeyIsConfiguredAndStillReadsLegacyRows() throws Exception {
        createAcme(); // legacy
        TenantStore gcmStore = new TenantStore(dataSource,
                new SecretCipher(DB_ENC_KEY, "12345678901234567890123456789012"));
        gcmStore.upsert(TenantChanges.builder("beta").jwtSecret("beta-secret").build());
        assertTrue(queryString("SELECT jwt_secret FROM _realtime.tenants WHERE external_id = 'beta'")
                .startsWith("g1:"));
        assertEquals("beta-secret", gcmStore.findByExternalId("beta").orElseThrow().tenant().jwtSecret());
        StoredTenant acme = gcmStore.findByExternalId("acme").orElseThrow();
        assertEquals(SECRET, acme.tenant().jwtSecret());
        assertEquals(List.of(), acme.problems());
    }

    @Test
    void updatesOnlyWhatChangedAndLeavesIdenticalRowsAlone() throws Exception {
        createAcme();
        ManagementDatabase.execute(dataSource,
                "UPDATE _realtime.tenants SET updated_at = '2020-01-01 00:00:00'",
                "UPDATE _realtime.extensions SET updated_at = '2020-01-01 00:00:00'");
        String secretBefore = queryString("SELECT jwt_secret FROM _realtime.tenants");

        TenantStore.UpsertResult same = store.upsert(TenantChanges.builder("acme")
                .jwtSecret(SECRET).maxConcurrentUsers(50)
                .extensions(List.of(new ExtensionChange("postgres_cdc_rls", cdcSettings("pw-1"))))
                .build());
        assertFalse(same.created());
        assertFalse(same.changed());
        assertEquals("2020-01-01 00:00:00", queryString("SELECT updated_at::text FROM _realtime.tenants"));
        assertEquals("2020-01-01 00:00:00", queryString("SELECT updated_at::text FROM _realtime.extensions"));
        assertEquals(secretBefore, queryString("SELECT jwt_secret FROM _realtime.tenants"));

        TenantStore.UpsertResult changed = store.upsert(TenantChanges.builder("acme")
                .maxEventsPerSecond(7).privateOnly(true).featureFlags("{\"x\": true}").build());
        assertTrue(changed.changed());
        Tenant t = changed.stored().tenant();
        assertEquals(7, t.maxEventsPerSecond());
        assertTrue(t.privateOnly());
        assertEquals(50, t.maxConcurrentUsers(), "untouched fields are kept");
        assertEquals(SECRET, t.jwtSecret());
        assertEquals("pw-1", t.postgresCdc().dbPassword(), "extensions are kept when not given");
        assertNotEquals("2020-01-01 00:00:00", queryString("SELECT updated_at::text FROM _realtime.tenants"));
        assertEquals(JSON.readTree("{\"x\":true}"), JSON.readTree(t.featureFlags()));

        store.upsert(TenantChanges.builder("acme")
                .extensions(List.of(new ExtensionChange("postgres_cdc_rls", cdcSettings("pw-2")))).build());
        assertEquals("pw-2", store.findByExternalId("acme").orElseThrow().tenant().postgresCdc().dbPassword());
        assertEquals("1", queryString("SELECT count(*)::text FROM _realtime.extensions"), "replaced, not added");
    }

    @Test
    void listsFindsAndDeletesWithExtensions() throws Exception {
        createAcme();
        store.upsert(TenantChanges.builder("zeta").jwtJwks("{\"keys\": []}").build());
        store.upsert(TenantChanges.builder("beta").jwtSecret("b").build());

        assertEquals(List.of("acme", "beta", "zeta"),
                store.listAll().stream().map(s -> s.tenant().externalId()).toList());
        assertEquals("pw-1", store.listAll().get(0).tenant().postgresCdc().dbPassword());
        assertNull(store.listAll().get(1).tenant().postgresCdc());
        assertNull(store.listAll().get(2).tenant().jwtSecret());
        assertEquals(Set.of("acme", "beta", "zeta"), store.knownTenants().ids());

        assertTrue(store.delete("acme"));
        assertFalse(store.delete("acme"));
        assertTrue(store.findByExternalId("acme").isEmpty());
        assertEquals("0", queryString("SELECT count(*)::text FROM _realtime.extensions"));
        assertEquals(Set.of("beta", "zeta"), store.knownTenants().ids());
    }

    @Test
    void readsARowWrittenByUpstream() {
        // values an upstream server wrote with DB_ENC_KEY=supabaserealtime (protocol reference §8.3 vectors)
        ManagementDatabase.execute(dataSource,
                "INSERT INTO _realtime.tenants (id, name, external_id, jwt_secret, max_concurrent_users,"
                        + " max_events_per_second, max_bytes_per_second, max_channels_per_client,"
                        + " max_joins_per_second, inserted_at, updated_at)"
                        + " VALUES (gen_random_uuid(), 'realtime-dev', 'realtime-dev', 'sWBpZNdjggEPTQVlI52Zfw==',"
                        + " 200, 100, 100000, 100, 500, now(), now())",
                "INSERT INTO _realtime.extensions (id, type, settings, tenant_external_id, inserted_at, updated_at)"
                        + " VALUES (gen_random_uuid(), 'postgres_cdc_rls', '{\"db_host\": \"WduM1JTp+Ah9s/HVBIpbqg==\","
                        + " \"db_port\": \"+enMDFi1J/3IrrquHHwUmA==\", \"db_name\": \"sWBpZNdjggEPTQVlI52Zfw==\","
                        + " \"db_user\": \"sWBpZNdjggEPTQVlI52Zfw==\", \"db_password\": \"sWBpZNdjggEPTQVlI52Zfw==\","
                        + " \"region\": \"us-east-1\", \"poll_interval_ms\": 100, \"ssl_enforced\": false,"
                        + " \"publication\": \"my_pub\"}', 'realtime-dev', now(), now())");
        StoredTenant stored = store.findByExternalId("realtime-dev").orElseThrow();
        assertEquals(List.of(), stored.problems());
        Tenant t = stored.tenant();
        assertEquals("postgres", t.jwtSecret());
        assertEquals(500, t.maxJoinsPerSecond());
        assertEquals(new PostgresCdcSettings("localhost", "5432", "postgres", "postgres", "postgres", "us-east-1",
                "my_pub", "supabase_realtime_replication_slot", false, 100, 100, 1_048_576, 1, 4), t.postgresCdc());
    }

    @Test
    void plaintextSecretsAreReportedUsedAndFixedByReSaving() throws Exception {
        // the setup guide's trap: GOTRUE_JWT_SECRET pasted as plaintext into tenant '91'
        String gotrue = "cAdtagpNtA1Wy9a7pbRS+QLb0LkxtBncXWkc//hPdPg=";
        ManagementDatabase.execute(dataSource,
                "INSERT INTO _realtime.tenants (id, name, external_id, jwt_secret, inserted_at, updated_at)"
                        + " VALUES (gen_random_uuid(), '91', '91', '" + gotrue + "', now(), now())",
                "INSERT INTO _realtime.extensions (id, type, settings, tenant_external_id, inserted_at, updated_at)"
                        + " VALUES (gen_random_uuid(), 'postgres_cdc_rls', '{\"db_host\": \"supabase-db\","
                        + " \"db_port\": \"+enMDFi1J/3IrrquHHwUmA==\", \"db_name\": \"sWBpZNdjggEPTQVlI52Zfw==\","
                        + " \"db_user\": \"sWBpZNdjggEPTQVlI52Zfw==\", \"db_password\": \"g1:AAECAwQFBgcICQoLhUBooliRKsv1PcCCWuNtRig7FG4Sef8Z\","
                        + " \"region\": \"local\"}', '91', now(), now())");
        StoredTenant stored = store.findByExternalId("91").orElseThrow();
        assertEquals(gotrue, stored.tenant().jwtSecret(), "a readable plaintext secret is still used");
        assertEquals("supabase-db", stored.tenant().postgresCdc().dbHost());
        assertNull(stored.tenant().postgresCdc().dbPassword(), "a g1: value without the GCM key is refused");

        Map<String, SecretProblem> problems = new LinkedHashMap<>();
        stored.problems().forEach(p -> problems.put(p.field(), p));
        assertEquals(Set.of("jwt_secret", "extensions.postgres_cdc_rls.db_host",
                "extensions.postgres_cdc_rls.db_password"), problems.keySet());
        assertEquals(Outcome.UNDECRYPTABLE_LEGACY, problems.get("jwt_secret").outcome());
        assertTrue(problems.get("jwt_secret").message().contains("PUT /api/tenants/91"));
        assertEquals(Outcome.NOT_ENCRYPTED, problems.get("extensions.postgres_cdc_rls.db_host").outcome());
        assertTrue(problems.get("extensions.postgres_cdc_rls.db_host").message().startsWith(
                "db_host of the postgres_cdc_rls extension of tenant '91' is not encrypted with DB_ENC_KEY"));
        assertEquals(Outcome.UNDECRYPTABLE_GCM, problems.get("extensions.postgres_cdc_rls.db_password").outcome());

        // re-saving the same plaintext rewrites it encrypted, although it "did not change"
        TenantStore.UpsertResult fixed = store.upsert(TenantChanges.builder("91").jwtSecret(gotrue)
                .extensions(List.of(new ExtensionChange("postgres_cdc_rls", cdcSettings("pw")))).build());
        assertTrue(fixed.changed());
        assertEquals(List.of(), fixed.stored().problems());
        assertNotEquals(gotrue, queryString("SELECT jwt_secret FROM _realtime.tenants WHERE external_id = '91'"));
        assertEquals(gotrue, fixed.stored().tenant().jwtSecret());
    }

    @Test
    void rejectsInvalidChangesWithUpstreamMessagesAndWritesNothing() {
        InvalidTenantException noSecret = assertThrows(InvalidTenantException.class,
                () -> store.upsert(TenantChanges.builder("x").maxConcurrentUsers(3).build()));
        assertEquals(Map.of("jwt_secret", List.of("either jwt_secret or jwt_jwks must be provided")),
                noSecret.errors());

        Map<String, Object> incomplete = cdcSettings("pw");
        incomplete.remove("db_host");
        incomplete.put("db_name", 5);
        InvalidTenantException badExtension = assertThrows(InvalidTenantException.class,
                () -> store.upsert(TenantChanges.builder("x").jwtSecret("s").jwtJwks("[1]")
                        .extensions(List.of(new ExtensionChange("postgres", incomplete),
                                new ExtensionChange("mysql", Map.of()),
                                new ExtensionChange(null, Map.of())))
                        .build()));
        assertEquals(List.of("is invalid"), badExtension.errors().get("jwt_jwks"));
        assertEquals(List.of("db_host can't be blank", "db_name is invalid", "type is invalid",
                "type can't be blank"), badExtension.errors().get("extensions"));

        assertThrows(InvalidTenantException.class, () -> store.upsert(TenantChanges.builder(" ").jwtSecret("s").build()));
        assertTrue(store.knownTenants().ids().isEmpty());
    }

    @Test
    void readsAndWritesAnOlderUpstreamSchemaWithoutTheNewerColumns() throws Exception {
        DataSource legacy = ManagementDatabase.otherDatabase("legacy_realtime");
        // _realtime.tenants as upstream had it in 2023, before jwks, private_only, presence and payload limits
        ManagementDatabase.execute(legacy,
                "CREATE SCHEMA _realtime",
                "CREATE TABLE _realtime.tenants (id uuid PRIMARY KEY, name varchar(255), external_id varchar(255),"
                        + " jwt_secret varchar(500), max_concurrent_users integer NOT NULL DEFAULT 200,"
                        + " inserted_at timestamp(0) NOT NULL, updated_at timestamp(0) NOT NULL,"
                        + " max_events_per_second integer NOT NULL DEFAULT 100,"
                        + " postgres_cdc_default varchar(255) DEFAULT 'postgres_cdc_rls',"
                        + " max_bytes_per_second integer NOT NULL DEFAULT 100000,"
                        + " max_channels_per_client integer NOT NULL DEFAULT 100,"
                        + " max_joins_per_second integer NOT NULL DEFAULT 500, suspend boolean DEFAULT false)",
                "CREATE UNIQUE INDEX tenants_external_id_index ON _realtime.tenants (external_id)",
                "CREATE TABLE _realtime.extensions (id uuid PRIMARY KEY, type text, settings jsonb,"
                        + " tenant_external_id text REFERENCES _realtime.tenants (external_id) ON DELETE CASCADE,"
                        + " inserted_at timestamp(0) NOT NULL, updated_at timestamp(0) NOT NULL)",
                "INSERT INTO _realtime.tenants (id, name, external_id, jwt_secret, inserted_at, updated_at)"
                        + " VALUES (gen_random_uuid(), 'old', 'old', 'sWBpZNdjggEPTQVlI52Zfw==', now(), now())");
        TenantStore old = new TenantStore(legacy, cipher);

        Tenant t = old.findByExternalId("old").orElseThrow().tenant();
        assertEquals("postgres", t.jwtSecret());
        assertNull(t.jwtJwks());
        assertEquals(1000, t.maxPresenceEventsPerSecond());
        assertEquals(3000, t.maxPayloadSizeInKb());
        assertFalse(t.privateOnly() || t.presenceEnabled());
        assertEquals(0, t.migrationsRan());
        assertEquals("gen_rpc", t.broadcastAdapter());
        assertEquals("{}", t.featureFlags());

        TenantStore.UpsertResult created = old.upsert(TenantChanges.builder("fresh").jwtSecret("s")
                .maxPresenceEventsPerSecond(5).privateOnly(true).maxEventsPerSecond(9)
                .extensions(List.of(new ExtensionChange("postgres", cdcSettings("pw")))).build());
        assertEquals(9, created.stored().tenant().maxEventsPerSecond());
        assertEquals(1000, created.stored().tenant().maxPresenceEventsPerSecond(), "no column: not written");
        assertEquals("pw", created.stored().tenant().postgresCdc().dbPassword());
        assertThrows(InvalidTenantException.class,
                () -> old.upsert(TenantChanges.builder("fresh").jwtJwks("{\"keys\": []}").build()));
        assertEquals(List.of("fresh", "old"), old.listAll().stream().map(s -> s.tenant().externalId()).toList());
        assertTrue(old.delete("fresh"));
    }

    @Test
    void toStringNeverShowsSecrets() {
        createAcme();
        StoredTenant stored = store.findByExternalId("acme").orElseThrow();
        String text = stored.toString() + TenantChanges.builder("acme").jwtSecret(SECRET).build()
                + new ExtensionChange("postgres", cdcSettings("pw-1"));
        assertFalse(text.contains(SECRET), text);
        assertFalse(text.contains("pw-1"), text);
        assertTrue(text.contains("acme"));
    }

    private String queryString(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            assertEquals(1, values.size(), sql);
            return values.get(0);
        }
    }
}
