package io.mudrock.realtime.auth;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTokenVerifierTest {

    private static final String SECRET = "metrics-secret-at-least-32-bytes-long!!";
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);

    private static String token(String secret, Map<String, Object> claims) {
        return new TokenSigner(secret).sign(claims);
    }

    @Test
    void admitsATokenSignedWithTheSecretWithoutAnyClaim() {
        MetricsTokenVerifier verifier = new MetricsTokenVerifier(Optional.of(SECRET), CLOCK);
        assertTrue(verifier.verify("Bearer " + token(SECRET, Map.of())).admitted());
    }

    @Test
    void refusesAMissingHeaderWith401AndAWrongOrExpiredTokenWith403() {
        MetricsTokenVerifier verifier = new MetricsTokenVerifier(Optional.of(SECRET), CLOCK);
        assertEquals(401, verifier.verify(null).status());
        assertEquals(401, verifier.verify("Basic abc").status());
        MetricsTokenVerifier.Verdict wrong = verifier.verify("Bearer " + token("another-secret-of-at-least-32-bytes!!", Map.of()));
        assertEquals(403, wrong.status());
        assertTrue(wrong.reason().contains("METRICS_JWT_SECRET"), wrong.reason());
        assertEquals(403, verifier.verify("Bearer " + token(SECRET, Map.of("exp", 1_700_000_000L))).status());
        assertEquals(403, verifier.verify("Bearer not-a-jwt").status());
    }

    @Test
    void refusesEverythingWithoutASecret() {
        MetricsTokenVerifier verifier = new MetricsTokenVerifier(Optional.empty(), CLOCK);
        MetricsTokenVerifier.Verdict verdict = verifier.verify("Bearer " + token(SECRET, Map.of()));
        assertEquals(403, verdict.status());
        assertTrue(verdict.reason().contains("not set"), verdict.reason());
    }
}
