package io.mudrock.realtime.channel;

import java.util.Objects;

/**
 * One tracked presence as it travels between nodes: its key, its {@code phx_ref} (unique in the
 * cluster, since each node's references carry a random prefix), the reference it replaced, and
 * the payload the client tracked.
 *
 * @param key the presence key
 * @param phxRef the meta's reference
 * @param phxRefPrev the reference of the meta it replaced, or {@code null}
 * @param payloadJson the tracked payload, a JSON object
 */
public record PresenceMeta(String key, String phxRef, String phxRefPrev, String payloadJson) {

    /**
     * Requires key, reference and payload.
     *
     * @param key key
     * @param phxRef reference
     * @param phxRefPrev previous reference
     * @param payloadJson payload
     */
    public PresenceMeta {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(phxRef, "phxRef");
        Objects.requireNonNull(payloadJson, "payloadJson");
    }
}
