/**
 * The client-facing transports: the WebSocket endpoints at {@code /realtime/v1/websocket} and
 * {@code /socket/websocket} with their handshake checks (tenant from Host, token, vsn) answered as
 * real HTTP errors before any upgrade (a browser's refusal is upgraded and told over the socket
 * instead, as browsers hide the HTTP answer); then, as {@code WEBSOCKET_TRANSPORT} says, a Jakarta
 * WebSocket endpoint (the default) or our own upgraded socket on non-blocking servlet streams; one
 * {@link io.mudrock.realtime.socket.Connection} per socket with its bounded send queue handed to
 * the transport in batches; and the REST broadcast API.
 */
package io.mudrock.realtime.socket;
