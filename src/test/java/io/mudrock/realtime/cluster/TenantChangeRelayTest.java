package io.mudrock.realtime.cluster;

import io.mudrock.realtime.tenant.TenantEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tenant changes travel to the other nodes once and never echo back. */
class TenantChangeRelayTest {

    private final TenantChangeRelay a = new TenantChangeRelay("node-a", "0");
    private final TenantChangeRelay b = new TenantChangeRelay("node-b", "0");

    @Test
    void aLocalChangeIsReadByTheOthersButNotByItsOrigin() {
        byte[] message = a.announce(new TenantEvent("tenant\nwith newline", TenantEvent.Kind.RELOADED, false)).orElseThrow();
        assertEquals(Optional.of(new TenantChangeRelay.Announced("tenant\nwith newline", TenantEvent.Kind.RELOADED)), b.read(message));
        assertEquals(Optional.empty(), a.read(message));
    }

    @Test
    void aChangeAnnouncedByAnotherNodeIsNotAnnouncedAgain() {
        assertEquals(Optional.empty(), b.announce(new TenantEvent("t", TenantEvent.Kind.DELETED, true)));
    }

    @Test
    void unreadableMessagesAreIgnored() {
        assertEquals(Optional.empty(), b.read("node-a\nEXPLODED\nt".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), b.read("garbage".getBytes(StandardCharsets.UTF_8)));
        assertEquals(a.channel(), b.channel());
    }
}
