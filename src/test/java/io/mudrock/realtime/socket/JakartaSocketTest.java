package io.mudrock.realtime.socket;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JakartaSocketTest {

    @Test
    void countsUtf8BytesAsTheEncoderWouldWithoutEncoding() {
        for (String text : new String[] {"", "heartbeat", "é", "naïve ✓", "€uro", "𝄞 clef"}) {
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, JakartaSocket.utf8Length(text), text);
        }
    }
}
