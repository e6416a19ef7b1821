/**
 * The WebSocket wire format of RFC 6455, pure: the opening handshake's checks and accept key, an
 * incremental parser for client frames and the encoder for server frames. Nothing here touches a
 * socket or a thread; {@code socket} drives these classes from the servlet upgrade.
 */
package io.mudrock.realtime.wire;
