package io.mudrock.realtime.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mudrock.realtime.tenant.HostResolution.Rule;
import java.util.Arrays;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TenantHostResolverTest {

    private final TenantHostResolver resolver = new TenantHostResolver("realtime-dev");

    private static KnownTenants known(String csv) {
        return new KnownTenants(csv.isEmpty() ? new HashSet<>() : new HashSet<>(Arrays.asList(csv.split(";"))));
    }

    /** Columns: Host header, existing tenants (;-separated), expected id, rule, found. */
    @ParameterizedTest(name = "{0} with [{1}] -> {2} {3} {4}")
    @CsvSource(nullValues = "NULL", value = {
            // names: first label, port stripped, lower-cased
            "abcd.supabase.co,                      abcd;realtime-dev,       abcd,         FIRST_LABEL,        true",
            "abcd.supabase.co:443,                  abcd;realtime-dev,       abcd,         FIRST_LABEL,        true",
            "ABCD.Supabase.CO,                      abcd;realtime-dev,       abcd,         FIRST_LABEL,        true",
            "realtime-dev.supabase-realtime:4000,   realtime-dev;other,      realtime-dev, FIRST_LABEL,        true",
            "realtime-dev,                          realtime-dev;other,      realtime-dev, FIRST_LABEL,        true",
            "abcd.example.com.,                     abcd;other,              abcd,         FIRST_LABEL,        true",
            // IPv4: the default tenant, not the first octet
            "91.99.166.223,                         realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            "91.99.166.223:8000,                    realtime-dev;91,         realtime-dev, DEFAULT_TENANT,     true",
            "192.168.1.157:4000,                    realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            "127.0.0.1,                             realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            // IPv6, with and without brackets and ports
            "[::1],                                 realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            "[::1]:4000,                            realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            "[2001:DB8::1]:443,                     realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            "2001:db8::1,                           realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            "::1,                                   realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            // localhost and no Host at all
            "localhost,                             realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            "LOCALHOST:4000,                        realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            "NULL,                                  realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            "'   ',                                 realtime-dev;other,      realtime-dev, DEFAULT_TENANT,     true",
            // deployments that created tenant 91 upstream-style, without a default tenant
            "91.99.166.223:8000,                    91;other,                91,           LEGACY_FIRST_LABEL, true",
            "localhost:4000,                        localhost;other,         localhost,    LEGACY_FIRST_LABEL, true",
            // single-tenant fallback: whatever the host, the only tenant
            "realtime:4000,                         realtime-dev,            realtime-dev, ONLY_TENANT,        true",
            "my-release.svc.cluster.local,          supabase-realtime,       supabase-realtime, ONLY_TENANT,   true",
            "10.0.0.7,                              supabase-realtime,       supabase-realtime, ONLY_TENANT,   true",
            "[fe80::1]:4000,                        only,                    only,         ONLY_TENANT,        true",
            // not found: the derived id is reported
            "unknown.example.com,                   realtime-dev;other,      unknown,      FIRST_LABEL,        false",
            "realtime:4000,                         a;b,                     realtime,     FIRST_LABEL,        false",
            "91.99.166.223,                         a;b,                     realtime-dev, DEFAULT_TENANT,     false",
            "[::1]:4000,                            a;b,                     realtime-dev, DEFAULT_TENANT,     false",
            "anything,                              '',                      anything,     FIRST_LABEL,        false",
            // not IPv4: more or fewer parts, or octets out of range, are names
            "1.2.3,                                 1;realtime-dev,          1,            FIRST_LABEL,        true",
            "256.1.1.1,                             256;realtime-dev,        256,          FIRST_LABEL,        true",
            "1.2.3.4.nip.io,                        1;realtime-dev,          1,            FIRST_LABEL,        true"})
    void resolves(String host, String tenants, String id, Rule rule, boolean found) {
        HostResolution r = resolver.resolve(host, known(tenants.trim()));
        assertEquals(id, r.tenantId(), r::describe);
        assertEquals(rule, r.rule(), r::describe);
        assertEquals(found, r.found(), r::describe);
    }

    @Test
    void normalisesTheReportedHost() {
        assertEquals("abcd.supabase.co", resolver.resolve("ABCD.supabase.co:443", known("abcd")).host());
        assertEquals("2001:db8::1", resolver.resolve("[2001:DB8::1]:443", known("x")).host());
        assertEquals("", resolver.resolve(null, known("x")).host());
    }

    @Test
    void describesWhyForLogsAndErrors() {
        String notFound = resolver.resolve("unknown.example.com", known("a;b")).describe();
        assertEquals("tenant 'unknown' not found for host 'unknown.example.com' by its first label", notFound);
        String ip = resolver.resolve("91.99.166.223:8000", known("realtime-dev;b")).describe();
        assertTrue(ip.startsWith("tenant 'realtime-dev' selected for host '91.99.166.223' by the default tenant"), ip);
        String only = resolver.resolve("realtime", known("realtime-dev")).describe();
        assertTrue(only.contains("the only tenant"), only);
        String missing = resolver.resolve(null, known("a;b")).describe();
        assertTrue(missing.contains("a request without a Host header"), missing);
    }

    @Test
    void defaultTenantMustBeNamed() {
        assertThrows(IllegalArgumentException.class, () -> new TenantHostResolver(" "));
        assertThrows(IllegalArgumentException.class, () -> new TenantHostResolver(null));
    }
}
