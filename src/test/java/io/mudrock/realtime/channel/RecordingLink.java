package io.mudrock.realtime.channel;

import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;

import java.util.ArrayList;
import java.util.List;

/** A client link that records what is sent to it, as text (binary frames as {@code binary:<length>}). */
final class RecordingLink implements ClientLink {

    private static int ids;
    private final String id = "test-" + (++ids);
    private final Serializer serializer;
    final List<String> frames = new ArrayList<>();
    Integer closeCode;
    String closeReason;
    /** Runs once, after the next frame is recorded: stands for the client acting on that frame. */
    Runnable onNextFrame;
    /** Stands for a send queue more than half full (a client that reads slowly or not at all). */
    volatile boolean congested;

    RecordingLink(Serializer serializer) {
        this.serializer = serializer;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Serializer serializer() {
        return serializer;
    }

    @Override
    public synchronized void send(OutboundFrame frame) {
        frames.add(frame instanceof OutboundFrame.Text text ? text.text()
                : "binary:" + ((OutboundFrame.Binary) frame).length());
        Runnable reaction = onNextFrame;
        onNextFrame = null;
        if (reaction != null) {
            reaction.run();
        }
    }

    @Override
    public synchronized void publishThenSend(Runnable publish, OutboundFrame frame) {
        publish.run();
        send(frame);
    }

    @Override
    public boolean congested() {
        return congested;
    }

    @Override
    public synchronized void close(int code, String reason) {
        closeCode = code;
        closeReason = reason;
    }

    /** Frames received so far, and forgets them. */
    synchronized List<String> take() {
        List<String> taken = new ArrayList<>(frames);
        frames.clear();
        return taken;
    }
}
