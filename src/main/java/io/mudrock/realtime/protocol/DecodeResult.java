package io.mudrock.realtime.protocol;

/**
 * The outcome of decoding one inbound WebSocket frame: never an exception, because a bad frame
 * is dropped and logged while the connection stays open (as Phoenix does).
 */
public sealed interface DecodeResult permits InboundMessage, MalformedFrame {
}
