package io.mudrock.realtime.channel;

import java.util.Objects;

/**
 * The fan-out key of a channel: public and private channels of the same name, and channels of
 * different tenants, never share receivers.
 *
 * @param tenantId the tenant's external id
 * @param privateChannel whether the channel is private ({@code config.private})
 * @param subTopic the topic without its {@code realtime:} prefix
 */
public record TopicKey(String tenantId, boolean privateChannel, String subTopic) {

    /** The prefix realtime-js puts before every channel name. */
    public static final String PREFIX = "realtime:";

    /**
     * Requires every part.
     *
     * @param tenantId the tenant
     * @param privateChannel private or public
     * @param subTopic the sub-topic
     */
    public TopicKey {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(subTopic, "subTopic");
    }

    /** @return the channel topic clients use, {@code realtime:<subTopic>} */
    public String topic() {
        return PREFIX + subTopic;
    }

    @Override
    public String toString() {
        return tenantId + (privateChannel ? "-private:" : ":") + subTopic;
    }
}
