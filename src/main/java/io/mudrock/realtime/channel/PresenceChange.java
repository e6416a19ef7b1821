package io.mudrock.realtime.channel;

import java.util.List;

/**
 * What one presence change on a node did to a topic, for the other nodes: the references of the
 * metas that left and the metas that joined (an update is both).
 *
 * @param left references of the metas that left
 * @param joined the metas that joined
 */
public record PresenceChange(List<String> left, List<PresenceMeta> joined) {

    /**
     * Copies both lists.
     *
     * @param left left
     * @param joined joined
     */
    public PresenceChange {
        left = List.copyOf(left);
        joined = List.copyOf(joined);
    }
}
