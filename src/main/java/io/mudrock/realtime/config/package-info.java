/**
 * Start-up configuration: one typed, validated {@link io.mudrock.realtime.config.RealtimeConfig}
 * built from MicroProfile Config with the Supabase Realtime container's variable names, so the
 * server is a drop-in replacement. An invalid value stops start-up with one line naming it.
 */
package io.mudrock.realtime.config;
