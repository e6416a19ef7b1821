/**
 * The live wells page served at {@code /}: the switch that turns it on or off
 * ({@code DEMO_PAGE}), the filter that hides its files when it is off, and the small JAX-RS
 * resource it talks to besides the WebSocket: its supabase-js settings, the current rows of
 * {@code public.wells} read as the {@code anon} role, and, in the embedded default only, a button's
 * endpoint that inserts a sample well.
 *
 * <p>The page itself is built from {@code web/} by npm at {@code generate-resources} and lands in
 * the WAR's root; nothing here serves its bytes.
 */
package io.mudrock.realtime.demo;
