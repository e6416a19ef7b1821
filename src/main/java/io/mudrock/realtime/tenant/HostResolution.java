package io.mudrock.realtime.tenant;

/**
 * Which tenant a Host header selects, and why, so the server can log it and answer
 * {@code Tenant not found} with the id it derived and the host it came from.
 *
 * @param host     the host as received, port stripped and lower-cased ({@code ""} when absent)
 * @param tenantId the external id derived from the host
 * @param rule     the rule that produced it
 * @param found    whether a tenant with that id exists
 */
public record HostResolution(String host, String tenantId, Rule rule, boolean found) {

    /** The rule that picked the tenant id. */
    public enum Rule {
        /** The first label of a host name, as upstream ({@code abcd.supabase.co} → {@code abcd}). */
        FIRST_LABEL,
        /** An IP address, {@code localhost} or no Host: the default tenant ({@code SELF_HOST_TENANT_NAME}). */
        DEFAULT_TENANT,
        /**
         * An IP address or {@code localhost} whose first label names an existing tenant while the default
         * tenant does not exist: kept for deployments that followed the upstream trap and created tenant
         * {@code 91} for {@code 91.99.166.223}.
         */
        LEGACY_FIRST_LABEL,
        /** The derived id is unknown but exactly one tenant exists: that one. */
        ONLY_TENANT
    }

    /** One sentence for logs and error answers. */
    public String describe() {
        String from = host.isEmpty() ? "a request without a Host header" : "host '" + host + "'";
        String how = switch (rule) {
            case FIRST_LABEL -> "its first label";
            case DEFAULT_TENANT -> "the default tenant (SELF_HOST_TENANT_NAME), because the host is an IP address,"
                    + " localhost or missing";
            case LEGACY_FIRST_LABEL -> "its first label, kept from upstream because the default tenant does not exist";
            case ONLY_TENANT -> "the only tenant, because no tenant is named after the host";
        };
        return "tenant '" + tenantId + "' " + (found ? "selected" : "not found") + " for " + from + " by " + how;
    }
}
