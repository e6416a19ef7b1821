package io.mudrock.realtime.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogTextTest {

    @Test
    void plainTextIsKeptAsItIs() {
        assertEquals("realtime:room-1 é", LogText.of("realtime:room-1 é"));
        assertEquals("null", LogText.of(null));
    }

    @Test
    void aNewlineCannotForgeALogLine() {
        assertEquals("a\\u000a[INFO] Joined admin\\u000d", LogText.of("a\n[INFO] Joined admin\r"));
        assertEquals("back\\\\slash\\u2028\\u202e\\u0000", LogText.of("back\\slash\u2028\u202e\u0000"));
    }

    @Test
    void longTextIsCutWithTheCountLeftOut() {
        String cut = LogText.of("x".repeat(5000));
        assertEquals("x".repeat(LogText.MAX_CHARS) + "...(4800 more)", cut);
    }
}
