package io.mudrock.realtime.socket;

import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.wire.CloseStatus;
import io.mudrock.realtime.wire.FrameWriter;
import io.mudrock.realtime.wire.Opcode;
import java.util.List;

/**
 * Everything one turn of a {@link Connection}'s writer sends, in this order: pongs, the queued
 * frames, then the close frame when one is due. The transport decides how it reaches the wire:
 * {@link UpgradedSocket} as one RFC 6455 byte batch, {@link JakartaSocket} as one container send
 * per frame.
 *
 * @param pongs payloads of pongs owed to the client's pings (only the servlet-upgrade transport
 *        sees pings; the Jakarta container answers them itself)
 * @param frames the queued frames, shared with other receivers and never modified
 * @param close the close frame to end with, or null
 */
record OutboundBatch(List<byte[]> pongs, List<OutboundFrame> frames, CloseStatus close) {

    /** @return the whole batch as RFC 6455 server frames, header and payload each */
    byte[] wireBytes() {
        int size = 0;
        for (byte[] pong : pongs) {
            size += FrameWriter.frameLength(pong.length);
        }
        for (OutboundFrame frame : frames) {
            size += FrameWriter.frameLength(frame.wireBytes().length);
        }
        byte[] closePayload = close == null ? null : FrameWriter.closePayload(close);
        if (closePayload != null) {
            size += FrameWriter.frameLength(closePayload.length);
        }
        FrameWriter writer = new FrameWriter(size);
        for (byte[] pong : pongs) {
            writer.add(Opcode.PONG, pong);
        }
        for (OutboundFrame frame : frames) {
            writer.add(frame instanceof OutboundFrame.Text ? Opcode.TEXT : Opcode.BINARY, frame.wireBytes());
        }
        if (closePayload != null) {
            writer.add(Opcode.CLOSE, closePayload);
        }
        return writer.bytes();
    }
}
