package io.mudrock.realtime.tenant;

/**
 * A change of a tenant that live parts of the server must act on (CDI event): sockets drain on
 * {@link Kind#RELOADED} and {@link Kind#DELETED}, replication streams stop on deletion.
 *
 * @param externalId the tenant
 * @param kind       what happened
 * @param elsewhere  true when another node of the cluster made the change and told this one,
 *                   so it is not passed on again
 */
public record TenantEvent(String externalId, Kind kind, boolean elsewhere) {

    /** What happened to the tenant. */
    public enum Kind {
        /** Created or changed (limits apply to new joins). */
        UPDATED,
        /** Its secret, database or suspension changed, or an operator asked for a reload: connections must start anew. */
        RELOADED,
        /** Removed: close its sockets, drop its replication slot. */
        DELETED
    }
}
