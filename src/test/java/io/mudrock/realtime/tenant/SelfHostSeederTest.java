package io.mudrock.realtime.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SelfHostSeederTest {

    private DataSource dataSource;
    private TenantStore store;
    private SelfHostSeeder seeder;

    @BeforeEach
    void setUp() {
        dataSource = ManagementDatabase.fresh();
        // GCM writes use random IVs, so any rewrite would show in the stored text
        store = new TenantStore(dataSource, new SecretCipher("supabaserealtime", "12345678901234567890123456789012"));
        seeder = new SelfHostSeeder(store);
    }

    private static SelfHostSeeder.Settings settings(String password) {
        return new SelfHostSeeder.Settings("realtime-dev", "jwt-secret", null, "db", "5432", "postgres",
                "supabase_admin", password, "supabase_realtime", false);
    }

    @Test
    void seedsTheDefaultTenant() {
        TenantStore.UpsertResult result = seeder.seed(settings("pw"));
        assertTrue(result.created());
        Tenant t = store.findByExternalId("realtime-dev").orElseThrow().tenant();
        assertEquals("realtime-dev", t.name());
        assertEquals("jwt-secret", t.jwtSecret());
        assertEquals(new PostgresCdcSettings("db", "5432", "postgres", "supabase_admin", "pw", "us-east-1",
                "supabase_realtime", "supabase_realtime_replication_slot", false, 100, 100, 1_048_576, 1, 4),
                t.postgresCdc());
    }

    @Test
    void secondRunWithTheSameSettingsWritesNothing() throws SQLException {
        seeder.seed(settings("pw"));
        String before = snapshot();
        TenantStore.UpsertResult again = seeder.seed(settings("pw"));
        assertFalse(again.created());
        assertFalse(again.changed());
        assertEquals(before, snapshot());
    }

    @Test
    void changedSettingsAreAppliedAndApiChangesSurvive() throws SQLException {
        seeder.seed(settings("pw"));
        store.upsert(TenantChanges.builder("realtime-dev").maxConcurrentUsers(7).build());
        String before = snapshot();
        TenantStore.UpsertResult changed = seeder.seed(settings("new-pw"));
        assertTrue(changed.changed());
        assertFalse(before.equals(snapshot()));
        assertEquals("new-pw", changed.stored().tenant().postgresCdc().dbPassword());
        assertEquals(7, changed.stored().tenant().maxConcurrentUsers(), "unlike upstream, no delete and re-create");
    }

    @Test
    void theDefaultTenantGetsTheSelfHostBudgetUnlessTheApiSetAnother() {
        seeder.seed(settings("pw"));
        assertEquals(SelfHostSeeder.SELF_HOST_MAX_EVENTS_PER_SECOND,
                store.findByExternalId("realtime-dev").orElseThrow().tenant().maxEventsPerSecond());

        store.upsert(TenantChanges.builder("realtime-dev").maxEventsPerSecond(Tenant.DEFAULT_MAX_EVENTS_PER_SECOND).build());
        assertTrue(seeder.seed(settings("pw")).changed(), "upstream's 100, as earlier seeds left it, is raised");
        assertEquals(SelfHostSeeder.SELF_HOST_MAX_EVENTS_PER_SECOND,
                store.findByExternalId("realtime-dev").orElseThrow().tenant().maxEventsPerSecond());

        store.upsert(TenantChanges.builder("realtime-dev").maxEventsPerSecond(250).build());
        assertFalse(seeder.seed(settings("pw")).changed());
        assertEquals(250, store.findByExternalId("realtime-dev").orElseThrow().tenant().maxEventsPerSecond(),
                "a value set through the admin API survives restarts");
    }

    /** Every stored byte of both tables, timestamps and ciphertexts included. */
    private String snapshot() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT string_agg(t::text, '|') FROM _realtime.tenants t)"
                     + " || (SELECT string_agg(e::text, '|') FROM _realtime.extensions e)")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
