package io.mudrock.realtime.channel;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JoinRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JoinRequest parse(String payload) throws Exception {
        return JoinRequest.parse(JSON.readTree(payload));
    }

    @Test
    void readsWhatRealtimeJsSends() throws Exception {
        JoinRequest request = parse("{\"config\":{\"broadcast\":{\"ack\":true,\"self\":false},\"presence\":{\"key\":\"k\","
                + "\"enabled\":true},\"postgres_changes\":[{\"event\":\"*\",\"schema\":\"public\"}],\"private\":true},"
                + "\"access_token\":\"tok\",\"version\":\"realtime-js/2.119.1\"}");
        assertFalse(request.legacy());
        assertTrue(request.broadcastAck());
        assertFalse(request.broadcastSelf());
        assertEquals("k", request.presenceKey());
        assertTrue(request.presenceEnabled());
        assertTrue(request.privateChannel());
        assertEquals(1, request.postgresChanges().size());
        assertEquals("tok", request.accessToken());
        assertNull(request.replay());
    }

    @Test
    void booleansMayBeStringsInAnyCaseAndMalformedPartsFallBackToDefaults() throws Exception {
        JoinRequest request = parse("{\"config\":{\"broadcast\":{\"self\":\"TRUE\",\"ack\":\"nope\"},\"private\":\"False\","
                + "\"presence\":[1],\"postgres_changes\":\"x\"},\"user_token\":\"legacy\"}");
        assertTrue(request.broadcastSelf());
        assertFalse(request.broadcastAck());
        assertFalse(request.privateChannel());
        assertFalse(request.presenceEnabled());
        assertTrue(request.postgresChanges().isEmpty());
        assertEquals("legacy", request.accessToken());
    }

    @Test
    void aMissingOrEmptyPresenceKeyBecomesAUuidAndNumbersAreKeysToo() throws Exception {
        assertTrue(parse("{\"config\":{\"presence\":{\"key\":\"\"}}}").presenceKey().matches("[0-9a-f-]{36}"));
        assertTrue(parse("{\"config\":{}}").presenceKey().matches("[0-9a-f-]{36}"));
        assertEquals("42", parse("{\"config\":{\"presence\":{\"key\":42}}}").presenceKey());
    }

    @Test
    void aPayloadWithoutConfigIsTheLegacyApi() throws Exception {
        assertTrue(parse("{}").legacy());
        assertTrue(parse("null").legacy());
    }
}
