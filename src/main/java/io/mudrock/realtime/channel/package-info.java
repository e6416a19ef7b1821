/**
 * The channel layer of the Phoenix protocol: per-socket channel tables (join, leave, duplicate
 * joins, token refresh and expiry), the registry of who listens to what per (tenant, public or
 * private, sub-topic), broadcast fan-out encoded once per frame format, presence, private-channel
 * authorization on {@code realtime.messages}, the per-tenant limits, and each socket's own budget
 * and queue of database changes ({@link io.mudrock.realtime.channel.SubscriberQueue}).
 * It never touches a WebSocket: sockets reach it through {@link io.mudrock.realtime.channel.ClientLink}.
 */
package io.mudrock.realtime.channel;
