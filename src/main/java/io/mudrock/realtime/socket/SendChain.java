package io.mudrock.realtime.socket;

import io.mudrock.realtime.protocol.OutboundFrame;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Sends a batch of frames through an API that allows one outstanding asynchronous send, such as
 * Jakarta WebSocket's {@code RemoteEndpoint.Async}: each send's completion sends the next frame,
 * on whatever thread the container completes on, and the last one reports the batch done. A
 * completion that arrives while its send call is still running (an implementation may complete
 * inline) leaves the next send to the sender's loop, so the chain never recurses.
 *
 * <p>One batch at a time: {@link #start} only while {@link #busy()} is false.
 */
final class SendChain implements SendHandler {

    /** The container's asynchronous send of one frame. */
    @FunctionalInterface
    interface Sender {
        /**
         * @param frame the frame to send
         * @param done called once the frame is written or failed
         */
        void send(OutboundFrame frame, SendHandler done);
    }

    /** A frame's send is running and nobody has looked at its completion yet. */
    private static final int SENDING = 0;
    /** The completion came before the sender looked: the sender goes on. */
    private static final int COMPLETED = 1;
    /** The sender left: the completion goes on. */
    private static final int LEFT = 2;

    private final Sender sender;
    private final Runnable batchDone;
    private final Consumer<Throwable> failed;

    // The batch and the next frame's index: written by whoever sends, before each send; the
    // handoff's atomic update orders them for the completion that continues.
    private List<OutboundFrame> frames = List.of();
    private int next;
    private final AtomicInteger handoff = new AtomicInteger(LEFT);
    private volatile boolean busy;

    /**
     * @param sender the container's send
     * @param batchDone called on the completing thread when a batch that went asynchronous is out
     * @param failed called when a send failed; the chain stays busy, nothing more is sent
     */
    SendChain(Sender sender, Runnable batchDone, Consumer<Throwable> failed) {
        this.sender = sender;
        this.batchDone = batchDone;
        this.failed = failed;
    }

    /** @return whether a batch is still going out */
    boolean busy() {
        return busy;
    }

    /**
     * Starts sending a batch.
     *
     * @param batch the frames, in order
     * @return true when every frame completed within this call; false when {@code batchDone} follows
     */
    boolean start(List<OutboundFrame> batch) {
        frames = batch;
        next = 0;
        busy = true;
        return sendRest();
    }

    /** Sends the remaining frames until one completes later; true when the batch is done on this thread. */
    private boolean sendRest() {
        while (next < frames.size()) {
            OutboundFrame frame = frames.get(next++);
            handoff.set(SENDING);
            sender.send(frame, this);
            if (handoff.compareAndSet(SENDING, LEFT)) {
                return false;
            }
        }
        frames = List.of();
        busy = false;
        return true;
    }

    @Override
    public void onResult(SendResult result) {
        if (!result.isOK()) {
            failed.accept(result.getException());
            return;
        }
        if (handoff.compareAndSet(SENDING, COMPLETED)) {
            return; // completed within the send call: the sender's loop goes on
        }
        if (sendRest()) {
            batchDone.run();
        }
    }
}
