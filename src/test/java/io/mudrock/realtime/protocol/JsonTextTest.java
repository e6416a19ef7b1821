package io.mudrock.realtime.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonTextTest {

    @Test
    void escapesQuotesBackslashesAndControls() {
        assertEquals("\"a\\\"b\\\\c\"", JsonText.quote("a\"b\\c"));
        assertEquals("\"\\u0000\\u0001\\u000a\\u000d\\u0009\\u001f\"", JsonText.quote("\u0000\u0001\n\r\t\u001f"));
        assertEquals("\"/ \u007f\"", JsonText.quote("/ \u007f")); // DEL and slash need no escape
    }

    @Test
    void keepsNonAsciiAndValidSurrogatePairs() {
        assertEquals("\"café ☕ 😀 \u2028\"", JsonText.quote("café ☕ 😀 \u2028"));
    }

    @Test
    void escapesLoneSurrogates() {
        assertEquals("\"a\\ud83db\\ude00\"", JsonText.quote("a\ud83db\ude00"));
        assertEquals("\"\\ud83d\"", JsonText.quote("\ud83d"));
    }

    @Test
    void nullIsTheJsonLiteral() {
        assertEquals("null", JsonText.quote(null));
        assertEquals("x:null", JsonText.appendString(new StringBuilder("x:"), null).toString());
    }

    @Test
    void quotedStringsReadBackIdentically() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            char[] chars = new char[random.nextInt(20)];
            for (int j = 0; j < chars.length; j++) {
                // Mostly low code points, some anywhere in the BMP except surrogates.
                int c = random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0xD800);
                chars[j] = (char) c;
            }
            String s = new String(chars);
            assertEquals(s, JsonText.MAPPER.readTree(JsonText.quote(s)).textValue());
        }
    }

    @Test
    void writesTreesCompactly() {
        ObjectNode node = JsonNodeFactory.instance.objectNode().put("a", "é\"").put("b", 1);
        assertEquals("{\"a\":\"é\\\"\",\"b\":1}", JsonText.write(node));
        assertEquals("null", JsonText.write(null));
    }

    @Test
    void singleValueCheck() {
        assertTrue(JsonText.isSingleValue("{\"x\":1}"));
        assertTrue(JsonText.isSingleValue(" [1, \"a\", null] "));
        assertTrue(JsonText.isSingleValue("3"));
        assertTrue(JsonText.isSingleValue("\"s\""));
        assertFalse(JsonText.isSingleValue(""));
        assertFalse(JsonText.isSingleValue("   "));
        assertFalse(JsonText.isSingleValue("{\"x\":1} {}"));
        assertFalse(JsonText.isSingleValue("{\"x\":1"));
        assertFalse(JsonText.isSingleValue("{'x':1}"));
        assertFalse(JsonText.isSingleValue("\"a\u0001b\""));
        assertFalse(JsonText.isSingleValue("NaN"));
        assertFalse(JsonText.isSingleValue("\ufeff{}")); // a BOM would break V1 envelopes
    }
}
