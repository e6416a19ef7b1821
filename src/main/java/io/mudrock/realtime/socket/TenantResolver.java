package io.mudrock.realtime.socket;

/** Picks the tenant of a request from its Host header (§1.3). */
@FunctionalInterface
public interface TenantResolver {

    /**
     * @param hostHeader the Host header, possibly with a port, possibly {@code null}
     * @return the tenant, or why there is none
     */
    TenantResolution resolve(String hostHeader);
}
