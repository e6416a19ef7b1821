package io.mudrock.realtime.stream;

/**
 * The texts of the {@code system} messages (extension {@code postgres_changes}) this server adds
 * to upstream's, so subscribers are told instead of left guessing. Status {@code error} never
 * closes the channel for this extension (upstream uses it the same way); clients see them with
 * {@code channel.on('system', {}, cb)}.
 */
final class StreamNotices {

    /** Upstream's text once bindings are live; sent again after a token refresh, as upstream does. */
    static final String SUBSCRIBED = "Subscribed to PostgreSQL";

    private StreamNotices() {
    }

    /** Status error: the replication stream dropped (or could not start) and is being retried. */
    static String lost(String reason, boolean permanentSlot) {
        return "PostgreSQL replication stream lost (" + reason + "); reconnecting. "
                + (permanentSlot ? "Changes committed meanwhile are delivered once it is back."
                        : "Changes committed until it is back are not delivered.");
    }

    /** Status ok: the replication stream is back after {@link #lost}. */
    static final String BACK = "PostgreSQL replication stream is back: changes are delivered again";

    /** Status error: a table was taken out of the publication; its bindings receive nothing. */
    static String tableRemoved(String publication, String schema, String table) {
        return "Table " + Sql.table(schema, table) + " was removed from publication " + Sql.ident(publication)
                + ": its changes no longer arrive. To stream them again run "
                + Sql.addToPublication(publication, schema, table);
    }

    /** The hint after upstream's "Please check Realtime is enabled" for a table outside the publication. */
    static String notInPublication(String publication, String schema, String table) {
        return "Table " + Sql.table(schema, table) + " is not in publication " + Sql.ident(publication)
                + ", so its changes are not streamed. Run " + Sql.addToPublication(publication, schema, table)
                + " (picked up without a restart).";
    }

    /** Status error: RLS hides every INSERT and UPDATE of the table from the channel's role. */
    static String noSelectPolicy(String schema, String table, String role) {
        return "Row level security is enabled on " + Sql.table(schema, table) + " and no SELECT policy applies to role "
                + role + ", so its INSERT and UPDATE changes will not reach this channel (DELETE changes still do). "
                + "Sign in (the channel uses the token's role) or add a policy, e.g. CREATE POLICY ... ON "
                + Sql.table(schema, table) + " FOR SELECT TO " + Sql.ident(role) + " USING (...);";
    }

    /** The hint for a binding on a table that does not exist. */
    static String noSuchTable(String schema, String table) {
        return "Table " + Sql.table(schema, table) + " does not exist.";
    }

    /** The hint for a wildcard binding that matches no table of the publication (yet). */
    static String noMatchingTable(String publication, String schema, String table) {
        return "No table of publication " + Sql.ident(publication) + " matches schema " + schema + " and table "
                + table + "; tables added to it later are picked up without a restart.";
    }

    /** Status error: row level security could not be checked, so some changes were withheld. */
    static String rlsCheckFailed(String schema, String table, String role, String reason, int withheld) {
        return "Row level security check on " + Sql.table(schema, table) + " as role " + role + " failed (" + reason
                + "): " + withheld + " change" + (withheld == 1 ? " was" : "s were") + " not delivered";
    }

    /**
     * Status error: evaluating a binding's filter failed, so that binding receives nothing more;
     * the channel's other bindings and every other subscriber are not affected.
     */
    static String filterFailed(String parameters, String reason) {
        return "Unable to evaluate the filter of binding [" + parameters + "] (" + reason + "): this binding receives "
                + "no more changes; the channel's other bindings are not affected. Join the channel again to retry.";
    }

    /** Status error: the tenant has no database settings, so no change can be streamed. */
    static final String NO_DATABASE = "This project has no database settings (postgres_cdc_rls extension): "
            + "postgres_changes cannot be delivered";

    /** Status error: registering the bindings failed unexpectedly (a bug: the server log has it). */
    static String failed(String reason) {
        return "Unable to subscribe to changes: " + reason + " (the server log has the details)";
    }

    /** Status error: the database could not be reached to check the bindings; retried. */
    static String cannotCheck(String reason) {
        return "Realtime was unable to connect to the project database (" + reason
                + "); the subscription is retried every few seconds";
    }
}
