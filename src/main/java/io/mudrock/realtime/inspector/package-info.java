/**
 * The Realtime Inspector served at {@code /inspector/}: the switch that turns it on or off
 * ({@code INSPECTOR}, default on only with the embedded database), the filters that hide its files
 * and endpoints when it is off, and the JAX-RS resource it talks to besides the WebSocket: its
 * settings with the default tenant's anon key, client tokens signed for a chosen role and
 * {@code sub} (admin token), and a tenant's live figures for its charts (admin token), to which the
 * metrics can add their totals through {@link io.mudrock.realtime.inspector.MeteredTotals}.
 *
 * <p>The page itself is built from {@code web/} by npm at {@code generate-resources} and lands in
 * the WAR's {@code inspector/} folder; nothing here serves its bytes.
 */
package io.mudrock.realtime.inspector;
