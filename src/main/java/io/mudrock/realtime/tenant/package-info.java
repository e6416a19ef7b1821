/**
 * Tenants as Supabase Realtime stores them: the {@code _realtime.tenants} and {@code _realtime.extensions}
 * rows, the cipher that protects their secrets, the rule that picks a tenant from a Host header, the
 * self-host seed and the one cache of tenant state.
 *
 * <p>Everything here is plain Java with constructor dependencies and imports no other package of ours, so
 * it can be tested against a real PostgreSQL without a container and wired by the application later.
 */
package io.mudrock.realtime.tenant;
