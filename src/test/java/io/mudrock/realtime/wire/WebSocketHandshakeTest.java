package io.mudrock.realtime.wire;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebSocketHandshakeTest {

    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    @Test
    void theAcceptKeyIsTheRfcExample() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.acceptKey(KEY));
    }

    @Test
    void aValidUpgradeIsAccepted() {
        WebSocketHandshake.Verdict verdict = WebSocketHandshake.check("keep-alive, Upgrade", "13", KEY);
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", assertInstanceOf(WebSocketHandshake.Accept.class, verdict).acceptKey());
    }

    @Test
    void theConnectionHeaderMustListUpgradeInAnyCase() {
        assertTrue(WebSocketHandshake.hasUpgradeToken("UPGRADE"));
        assertTrue(WebSocketHandshake.hasUpgradeToken("keep-alive,upgrade"));
        assertFalse(WebSocketHandshake.hasUpgradeToken("keep-alive"));
        assertFalse(WebSocketHandshake.hasUpgradeToken("upgrades"));
        assertEquals(400, assertInstanceOf(WebSocketHandshake.Refuse.class,
                WebSocketHandshake.check(null, "13", KEY)).status());
        assertEquals(400, assertInstanceOf(WebSocketHandshake.Refuse.class,
                WebSocketHandshake.check("close", "13", KEY)).status());
    }

    @Test
    void anotherVersionIsAnswered426() {
        assertEquals(426, assertInstanceOf(WebSocketHandshake.Refuse.class,
                WebSocketHandshake.check("Upgrade", "8", KEY)).status());
        assertEquals(426, assertInstanceOf(WebSocketHandshake.Refuse.class,
                WebSocketHandshake.check("Upgrade", null, KEY)).status());
    }

    @Test
    void theKeyMustBeSixteenBytesOfBase64() {
        for (String bad : new String[] {null, "", "not base64!", "dGhlIHNhbXBsZQ==", "dGhlIHNhbXBsZSBub25jZSBzaXh0ZWVu"}) {
            assertEquals(400, assertInstanceOf(WebSocketHandshake.Refuse.class,
                    WebSocketHandshake.check("Upgrade", "13", bad)).status(), String.valueOf(bad));
        }
    }
}
