package io.mudrock.realtime.cluster;

import io.mudrock.realtime.tenant.TenantEvent;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Tenant changes made through one node (create, update, reload, suspend, delete) announced to
 * the others on one channel, so each forgets its cached tenant and drains what it must, as the
 * node that made the change does. Only changes made here are announced, so none echoes back.
 *
 * <p>Message: {@code <origin>\n<KIND>\n<external id>} in UTF-8.
 */
public final class TenantChangeRelay {

    /**
     * A change another node announced.
     *
     * @param externalId the tenant
     * @param kind what happened
     */
    public record Announced(String externalId, TenantEvent.Kind kind) {
    }

    private final String nodeId;
    private final String channel;

    /**
     * @param nodeId this node's id
     * @param namespace the deployment's namespace on Redis (see {@link BroadcastBus})
     */
    public TenantChangeRelay(String nodeId, String namespace) {
        this.nodeId = nodeId;
        this.channel = "mudrock:" + namespace + ":tenants";
    }

    /** @return the one channel of tenant changes */
    public String channel() {
        return channel;
    }

    /**
     * @param event a tenant change
     * @return the message announcing it, or empty for a change another node announced
     */
    public Optional<byte[]> announce(TenantEvent event) {
        if (event.elsewhere()) {
            return Optional.empty();
        }
        return Optional.of((nodeId + "\n" + event.kind().name() + "\n" + event.externalId()).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param message a message of the channel
     * @return the change, or empty for this node's own message or one it cannot read
     */
    public Optional<Announced> read(byte[] message) {
        String[] parts = new String(message, StandardCharsets.UTF_8).split("\n", 3);
        if (parts.length != 3 || parts[0].equals(nodeId)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Announced(parts[2], TenantEvent.Kind.valueOf(parts[1])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
