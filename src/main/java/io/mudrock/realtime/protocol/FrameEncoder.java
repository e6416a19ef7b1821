package io.mudrock.realtime.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Encodes server-to-client frames for either {@link Serializer}.
 *
 * <p>Per-socket frames (replies, channel pushes, close/error) are returned directly. Frames for
 * many sockets (broadcasts, {@code presence_diff}, {@code postgres_changes}) are returned as
 * {@link FanOutFrames}, which encode each format once and share the result.
 *
 * <p>Shapes (vsn 2.0.0 array / vsn 1.0.0 object; V1 output never carries {@code join_ref}):
 * <ul>
 * <li>reply: {@code [join_ref, ref, topic, "phx_reply", {"status":S,"response":R}]}</li>
 * <li>channel push: {@code [join_ref, null, topic, event, payload]}</li>
 * <li>fan-out: {@code [null, null, topic, event, payload]}</li>
 * <li>close/error: {@code [join_ref, join_ref, topic, "phx_close"|"phx_error", {}]}</li>
 * <li>user broadcast: binary kind 4, or fan-out with event {@code "broadcast"}</li>
 * </ul>
 * Binary kinds 0-3 are never produced: realtime-js can only decode kind 4.
 */
public final class FrameEncoder {

    /** The {@code status} of a {@code phx_reply}. */
    public enum ReplyStatus {
        /** The request succeeded. */
        OK("ok"),
        /** The request failed; realtime-js reports the response values joined as the error. */
        ERROR("error");

        private final String wire;

        ReplyStatus(String wire) {
            this.wire = wire;
        }

        /** @return the status as sent, {@code "ok"} or {@code "error"} */
        public String wire() {
            return wire;
        }
    }

    private static final int KIND_USER_BROADCAST = 4;
    private static final int KIND_4_HEADER = 5;
    private static final int MAX_NAME_BYTES = 255;
    private static final String EMPTY_OBJECT = "{}";
    // Room for the envelope's fixed parts, so builders are sized once.
    private static final int ENVELOPE_OVERHEAD = 64;

    private FrameEncoder() {
    }

    /**
     * A {@code phx_reply} with an empty response, e.g. for heartbeats, leaves and broadcast acks.
     *
     * @param serializer the receiver's format
     * @param joinRef the request's join_ref ({@code null} for heartbeats); dropped by V1
     * @param ref the request's ref
     * @param topic the request's topic
     * @param status the status
     * @return the frame
     */
    public static OutboundFrame reply(Serializer serializer, String joinRef, String ref, String topic,
            ReplyStatus status) {
        return replyFrame(serializer, joinRef, ref, topic, status, EMPTY_OBJECT);
    }

    /**
     * A {@code phx_reply}.
     *
     * @param serializer the receiver's format
     * @param joinRef the request's join_ref; dropped by V1
     * @param ref the request's ref
     * @param topic the request's topic
     * @param status the status
     * @param response the {@code response} value, e.g. {@code {"postgres_changes":[...]}} or {@code {"reason":"..."}}
     * @return the frame
     */
    public static OutboundFrame reply(Serializer serializer, String joinRef, String ref, String topic,
            ReplyStatus status, JsonNode response) {
        return replyFrame(serializer, joinRef, ref, topic, status, JsonText.write(Objects.requireNonNull(response)));
    }

    private static OutboundFrame replyFrame(Serializer serializer, String joinRef, String ref, String topic,
            ReplyStatus status, String responseJson) {
        String payload = "{\"status\":\"" + status.wire() + "\",\"response\":" + responseJson + "}";
        return new OutboundFrame.Text(envelope(serializer, joinRef, ref, topic, "phx_reply", payload));
    }

    /**
     * A channel push to one socket ({@code system}, {@code presence_state}, replayed broadcasts).
     * Carries the channel's current join_ref: realtime-js drops messages with a stale one.
     *
     * @param serializer the receiver's format
     * @param joinRef the channel's join_ref; dropped by V1
     * @param topic the channel topic
     * @param event the event
     * @param payload the payload
     * @return the frame
     */
    public static OutboundFrame push(Serializer serializer, String joinRef, String topic, String event,
            JsonNode payload) {
        return new OutboundFrame.Text(envelope(serializer, joinRef, null, topic, event,
                JsonText.write(Objects.requireNonNull(payload))));
    }

    /**
     * {@code phx_close}: the channel ended normally; realtime-js then removes it without rejoining.
     *
     * @param serializer the receiver's format
     * @param joinRef the join_ref of the channel instance that ended, sent as join_ref and ref
     * @param topic the channel topic
     * @return the frame
     */
    public static OutboundFrame phxClose(Serializer serializer, String joinRef, String topic) {
        return new OutboundFrame.Text(envelope(serializer, joinRef, joinRef, topic, "phx_close", EMPTY_OBJECT));
    }

    /**
     * {@code phx_error}: the channel failed; realtime-js reports CHANNEL_ERROR and rejoins.
     *
     * @param serializer the receiver's format
     * @param joinRef the join_ref of the channel instance that failed, sent as join_ref and ref
     * @param topic the channel topic
     * @return the frame
     */
    public static OutboundFrame phxError(Serializer serializer, String joinRef, String topic) {
        return new OutboundFrame.Text(envelope(serializer, joinRef, joinRef, topic, "phx_error", EMPTY_OBJECT));
    }

    /**
     * A message for every subscriber of a topic, e.g. {@code presence_diff}: no join_ref, no ref.
     * The payload is written to JSON once, here.
     *
     * @param topic the channel topic
     * @param event the event
     * @param payload the payload
     * @return the shared frames
     */
    public static FanOutFrames fanOut(String topic, String event, JsonNode payload) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(event, "event");
        String payloadJson = JsonText.write(Objects.requireNonNull(payload));
        return new FanOutFrames(s -> new OutboundFrame.Text(envelope(s, null, null, topic, event, payloadJson)));
    }

    /**
     * A {@code postgres_changes} message for one channel (or for all channels whose matching
     * binding ids are the same): {@code {"ids":[...],"data":<data>}}. {@code dataJson} is built
     * once per change by the caller and spliced in verbatim, without being parsed again.
     *
     * @param topic the channel topic
     * @param ids the ids of the channel's bindings that matched, as sent in the join reply
     * @param dataJson the {@code data} object as JSON text, trusted to be well formed
     * @return the shared frames
     */
    public static FanOutFrames postgresChanges(String topic, long[] ids, String dataJson) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(dataJson, "dataJson");
        long[] idsCopy = ids.clone();
        return new FanOutFrames(s -> {
            StringBuilder out = new StringBuilder(ENVELOPE_OVERHEAD + topic.length() + 20 * idsCopy.length
                    + dataJson.length());
            head(out, s, null, null, topic, "postgres_changes");
            out.append("{\"ids\":[");
            for (int i = 0; i < idsCopy.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(idsCopy[i]);
            }
            out.append("],\"data\":").append(dataJson).append('}');
            return new OutboundFrame.Text(tail(out, s, null).toString());
        });
    }

    /**
     * The frames of one user broadcast on one topic.
     * <ul>
     * <li>V2, {@linkplain UserBroadcast#binaryFramed() binary-framed}: binary kind 4
     *     {@code u8 4 | u8 topic_len | u8 event_len | u8 meta_len | u8 encoding | topic | event | meta | payload}
     *     (lengths in UTF-8 bytes). If the topic, event or meta exceed 255 bytes, a JSON payload
     *     falls back to the text form and a binary payload is not delivered.</li>
     * <li>V2 otherwise: {@code [null,null,topic,"broadcast",{"type":"broadcast","event":E,"payload":P[,"meta":M]}]}.</li>
     * <li>V1: {@code {"topic":T,"event":"broadcast","payload":{"event":E,"payload":P,"type":"broadcast"[,"meta":M]},"ref":null}};
     *     binary payloads are never delivered to V1 ({@link FanOutFrames#frameFor} is empty), as upstream.</li>
     * </ul>
     *
     * @param topic the receivers' channel topic
     * @param broadcast the broadcast
     * @return the shared frames
     */
    public static FanOutFrames broadcast(String topic, UserBroadcast broadcast) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(broadcast, "broadcast");
        return new FanOutFrames(s -> s == Serializer.V2 ? broadcastV2(topic, broadcast) : broadcastV1(topic, broadcast));
    }

    private static OutboundFrame broadcastV2(String topic, UserBroadcast b) {
        if (b.binaryFramed()) {
            OutboundFrame.Binary frame = userBroadcastKind4(topic, b);
            if (frame != null || b.encoding() == UserBroadcast.Encoding.BINARY) {
                return frame;
            }
        }
        return broadcastText(Serializer.V2, topic, b);
    }

    private static OutboundFrame broadcastV1(String topic, UserBroadcast b) {
        if (b.encoding() == UserBroadcast.Encoding.BINARY) {
            return null; // vsn 1.0.0 has no binary frames and JSON cannot carry raw bytes
        }
        return broadcastText(Serializer.V1, topic, b);
    }

    /** The JSON text form, built in one pre-sized builder so the payload is copied once. */
    private static OutboundFrame broadcastText(Serializer s, String topic, UserBroadcast b) {
        String payloadJson = new String(b.payloadArray(), StandardCharsets.UTF_8);
        String meta = b.metaJson();
        StringBuilder out = new StringBuilder(2 * ENVELOPE_OVERHEAD + topic.length() + b.event().length()
                + payloadJson.length() + (meta == null ? 0 : meta.length()));
        head(out, s, null, null, topic, InboundMessage.BROADCAST);
        // Key order as upstream emits each form; JSON clients do not depend on it.
        if (s == Serializer.V2) {
            out.append("{\"type\":\"broadcast\",\"event\":");
            JsonText.appendString(out, b.event()).append(",\"payload\":").append(payloadJson);
        } else {
            out.append("{\"event\":");
            JsonText.appendString(out, b.event()).append(",\"payload\":").append(payloadJson)
                    .append(",\"type\":\"broadcast\"");
        }
        if (meta != null) {
            out.append(",\"meta\":").append(meta);
        }
        out.append('}');
        return new OutboundFrame.Text(tail(out, s, null).toString());
    }

    /** @return the kind-4 frame, or {@code null} if a header field exceeds 255 bytes */
    private static OutboundFrame.Binary userBroadcastKind4(String topic, UserBroadcast b) {
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        byte[] eventBytes = b.event().getBytes(StandardCharsets.UTF_8);
        byte[] metaBytes = b.metaJson() == null ? new byte[0] : b.metaJson().getBytes(StandardCharsets.UTF_8);
        if (topicBytes.length > MAX_NAME_BYTES || eventBytes.length > MAX_NAME_BYTES
                || metaBytes.length > MAX_NAME_BYTES) {
            return null;
        }
        byte[] payload = b.payloadArray();
        byte[] frame = new byte[KIND_4_HEADER + topicBytes.length + eventBytes.length + metaBytes.length
                + payload.length];
        frame[0] = (byte) KIND_USER_BROADCAST;
        frame[1] = (byte) topicBytes.length;
        frame[2] = (byte) eventBytes.length;
        frame[3] = (byte) metaBytes.length;
        frame[4] = (byte) b.encoding().wireValue();
        int at = KIND_4_HEADER;
        for (byte[] part : new byte[][] {topicBytes, eventBytes, metaBytes, payload}) {
            System.arraycopy(part, 0, frame, at, part.length);
            at += part.length;
        }
        return new OutboundFrame.Binary(frame);
    }

    private static String envelope(Serializer s, String joinRef, String ref, String topic, String event,
            String payloadJson) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(event, "event");
        StringBuilder out = new StringBuilder(ENVELOPE_OVERHEAD + topic.length() + event.length()
                + payloadJson.length());
        head(out, s, joinRef, ref, topic, event).append(payloadJson);
        return tail(out, s, ref).toString();
    }

    /** Everything before the payload: V1 has ref after the payload, V2 before it. */
    private static StringBuilder head(StringBuilder out, Serializer s, String joinRef, String ref, String topic,
            String event) {
        if (s == Serializer.V2) {
            out.append('[');
            JsonText.appendString(out, joinRef).append(',');
            JsonText.appendString(out, ref).append(',');
            JsonText.appendString(out, topic).append(',');
            return JsonText.appendString(out, event).append(',');
        }
        out.append("{\"topic\":");
        JsonText.appendString(out, topic).append(",\"event\":");
        return JsonText.appendString(out, event).append(",\"payload\":");
    }

    private static StringBuilder tail(StringBuilder out, Serializer s, String ref) {
        if (s == Serializer.V2) {
            return out.append(']');
        }
        out.append(",\"ref\":");
        return JsonText.appendString(out, ref).append('}');
    }
}
