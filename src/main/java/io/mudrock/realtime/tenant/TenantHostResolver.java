package io.mudrock.realtime.tenant;

import java.util.Locale;
import java.util.Objects;

/**
 * Picks the tenant a request is for from its Host header.
 *
 * <p>Upstream takes the first label of the host: {@code abcd.supabase.co} → {@code abcd},
 * {@code realtime-dev.supabase-realtime} → {@code realtime-dev}. For IP addresses that gives the first
 * octet ({@code 91.99.166.223} → {@code 91}), the best-known self-hosting trap. So, in this order:
 * <ol>
 *   <li>A host name (not {@code localhost}): its first label, if that tenant exists.</li>
 *   <li>An IPv4 or IPv6 address (brackets and port allowed), {@code localhost}, or no Host at all: the
 *       default tenant, if it exists; else the upstream first label if that tenant exists (an IPv6
 *       address has none).</li>
 *   <li>Otherwise, when exactly one tenant exists: that tenant, whatever its name (a single-tenant
 *       server behind a proxy that rewrites the Host, or reached through a service name).</li>
 *   <li>Otherwise not found, with the id derived by rule 1 or 2 so the error can name it.</li>
 * </ol>
 * Ports are stripped and the host is lower-cased, as URI hosts are case-insensitive.
 */
public final class TenantHostResolver {

    private final String defaultTenantId;

    /** @param defaultTenantId {@code SELF_HOST_TENANT_NAME}, upstream default {@code realtime-dev} */
    public TenantHostResolver(String defaultTenantId) {
        if (defaultTenantId == null || defaultTenantId.isBlank()) {
            throw new IllegalArgumentException("the default tenant id must not be blank");
        }
        this.defaultTenantId = defaultTenantId;
    }

    /**
     * Resolves a Host header against the tenants that exist.
     *
     * @param hostHeader the Host header value, possibly null, with or without port
     * @param known      the external ids of existing tenants
     */
    public HostResolution resolve(String hostHeader, KnownTenants known) {
        Objects.requireNonNull(known, "known");
        String raw = hostHeader == null ? "" : hostHeader.trim();
        boolean ipv6 = raw.startsWith("[") || raw.indexOf(':') != raw.lastIndexOf(':');
        String host = withoutPort(raw, ipv6).toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1); // absolute DNS name
        }
        int dot = host.indexOf('.');
        String firstLabel = dot < 0 ? host : host.substring(0, dot);

        boolean special = ipv6 || host.isEmpty() || "localhost".equals(host) || isIpv4(host);
        String derived = special ? defaultTenantId : firstLabel;
        if (known.contains(derived)) {
            return new HostResolution(host, derived, special ? HostResolution.Rule.DEFAULT_TENANT
                    : HostResolution.Rule.FIRST_LABEL, true);
        }
        if (special && !ipv6 && !firstLabel.isEmpty() && known.contains(firstLabel)) {
            return new HostResolution(host, firstLabel, HostResolution.Rule.LEGACY_FIRST_LABEL, true);
        }
        if (known.count() == 1) {
            return new HostResolution(host, known.ids().iterator().next(), HostResolution.Rule.ONLY_TENANT, true);
        }
        return new HostResolution(host, derived, special ? HostResolution.Rule.DEFAULT_TENANT
                : HostResolution.Rule.FIRST_LABEL, false);
    }

    private static String withoutPort(String host, boolean ipv6) {
        if (ipv6) {
            if (host.startsWith("[")) {
                int close = host.indexOf(']');
                return close < 0 ? host.substring(1) : host.substring(1, close);
            }
            return host; // a bare IPv6 address cannot carry a port
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    private static boolean isIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }
}
