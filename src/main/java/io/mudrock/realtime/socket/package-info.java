/**
 * The client-facing transports: the WebSocket endpoints at {@code /realtime/v1/websocket} and
 * {@code /socket/websocket} with their handshake checks (tenant from Host, token, vsn) answered as
 * real HTTP errors before any upgrade, the upgraded sockets on non-blocking servlet streams, one
 * {@link io.mudrock.realtime.socket.Connection} per socket with its bounded send queue written in
 * batches, and the REST broadcast API.
 */
package io.mudrock.realtime.socket;
