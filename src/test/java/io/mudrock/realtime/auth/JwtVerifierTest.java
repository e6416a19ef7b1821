package io.mudrock.realtime.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.mudrock.realtime.auth.TokenRejection.Kind;
import io.mudrock.realtime.tenant.Tenant;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtVerifierTest {

    private static final long NOW = 1_700_000_000L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    private static final String SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RSAKey rsa;
    private static ECKey ec;
    private static KeyPair ed25519;
    private static String jwks;

    private final JwtVerifier verifier = new JwtVerifier(CLOCK);

    @BeforeAll
    static void keys() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] encoded = ed25519.getPublic().getEncoded();
        String x = B64.encodeToString(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
        jwks = "{\"keys\": ["
                + rsa.toPublicJWK().toJSONString() + ","
                + ec.toPublicJWK().toJSONString() + ","
                + "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed-1\",\"x\":\"" + x + "\"},"
                + "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"kid\":\"x-1\",\"x\":\"" + x + "\"},"
                + "{\"kty\":\"oct\",\"kid\":\"oct-1\",\"k\":\"" + B64.encodeToString(
                        "the-oct-key".getBytes(StandardCharsets.UTF_8)) + "\"},"
                + "{\"kty\":\"oct\",\"kid\":\"padded\",\"k\":\"YWJj=\"}"
                + "]}";
    }

    static Tenant tenant(String secret, String jwks) {
        return new Tenant(null, "t", "t", secret, jwks, 200, 100, 100_000, 100, 100, 1000, 3000, null, null,
                false, false, false, "postgres_cdc_rls", 0, "gen_rpc", "{}", null, null, null);
    }

    private static Map<String, Object> claims(Object... keyValues) {
        Map<String, Object> claims = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            claims.put((String) keyValues[i], keyValues[i + 1]);
        }
        return claims;
    }

    private static Map<String, Object> valid() {
        return claims("role", "authenticated", "sub", "user-1", "exp", NOW + 3600, "iat", NOW - 10);
    }

    /** Signs header and claims as given, whatever they contain. */
    private static String raw(Map<String, Object> header, Map<String, Object> claims, String alg, byte[] key)
            throws Exception {
        String input = B64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + B64.encodeToString(JSON.writeValueAsBytes(claims));
        return input + "." + B64.encodeToString(Hmac.compute(Hmac.jcaName(alg), key,
                input.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String nimbus(JWSHeader header, Map<String, Object> claims, com.nimbusds.jose.JWSSigner signer)
            throws Exception {
        JWSObject jws = new JWSObject(header, new Payload(claims));
        jws.sign(signer);
        return jws.serialize();
    }

    private static String edDsa(String alg, String kid, Map<String, Object> claims) throws Exception {
        Map<String, Object> header = claims("alg", alg, "typ", "JWT", "kid", kid);
        String input = B64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + B64.encodeToString(JSON.writeValueAsBytes(claims));
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(ed25519.getPrivate());
        signer.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + B64.encodeToString(signer.sign());
    }

    private VerifiedClaims accepted(String token, Tenant tenant) {
        TokenVerification result = verifier.verifyWithRoleAndExp(token, tenant);
        return assertInstanceOf(VerifiedClaims.class, result, result::toString);
    }

    private TokenRejection rejected(String token, Tenant tenant) {
        TokenVerification result = verifier.verifyWithRoleAndExp(token, tenant);
        return assertInstanceOf(TokenRejection.class, result, result::toString);
    }

    // ---- accepted tokens, per algorithm -------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512"})
    void hmacWithTheTenantSecret(String alg) {
        String token = new TokenSigner(SECRET, alg).sign(valid());
        VerifiedClaims c = accepted(token, tenant(SECRET, null));
        assertEquals("authenticated", c.role());
        assertEquals("user-1", c.sub());
        assertEquals(NOW + 3600, c.exp());
        assertEquals(valid(), c.claims());
        assertEquals("{\"role\":\"authenticated\",\"sub\":\"user-1\",\"exp\":" + (NOW + 3600) + ",\"iat\":"
                + (NOW - 10) + "}", c.claimsJson());
    }

    @Test
    void shortSecretsWorkAsUpstream() {
        assertEquals("anon", accepted(new TokenSigner("short", "HS512").sign(
                claims("role", "anon", "exp", NOW + 1)), tenant("short", null)).role());
    }

    @Test
    void hmacKidPicksTheOctKeyAndFallsBackToTheSecret() throws Exception {
        byte[] oct = "the-oct-key".getBytes(StandardCharsets.UTF_8);
        Tenant both = tenant(SECRET, jwks);
        accepted(raw(claims("alg", "HS256", "typ", "JWT", "kid", "oct-1"), valid(), "HS256", oct), both);
        TokenRejection withSecret = rejected(raw(claims("alg", "HS256", "kid", "oct-1"), valid(), "HS256",
                SECRET.getBytes(StandardCharsets.UTF_8)), both);
        assertEquals(Kind.SIGNATURE_INVALID, withSecret.kind());
        // Supabase Auth tokens carry a kid with no JWK behind it: the secret is used
        accepted(raw(claims("alg", "HS256", "kid", "unknown-kid"), valid(), "HS256",
                SECRET.getBytes(StandardCharsets.UTF_8)), both);
        // upstream decodes k without padding
        assertEquals("Failed to generate JWT signer for key ID (kid) \"padded\", check your JWT secret or JWKS"
                + " configuration", rejected(raw(claims("alg", "HS256", "kid", "padded"), valid(), "HS256",
                "abc".getBytes(StandardCharsets.UTF_8)), both).message());
    }

    @Test
    void rs256ByKid() throws Exception {
        String token = nimbus(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), valid(),
                new RSASSASigner(rsa));
        assertEquals("user-1", accepted(token, tenant(null, jwks)).sub());
        String otherKey = nimbus(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), valid(),
                new RSASSASigner(new RSAKeyGenerator(2048).generate()));
        assertEquals(Kind.SIGNATURE_INVALID, rejected(otherKey, tenant(null, jwks)).kind());
    }

    @Test
    void es256ByKid() throws Exception {
        String token = nimbus(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(), valid(),
                new ECDSASigner(ec));
        assertEquals("authenticated", accepted(token, tenant(SECRET, jwks)).role());
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertEquals(Kind.SIGNATURE_INVALID, rejected(tampered, tenant(SECRET, jwks)).kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"EdDSA", "Ed25519"})
    void ed25519ByKid(String alg) throws Exception {
        assertEquals("user-1", accepted(edDsa(alg, "ed-1", valid()), tenant(null, jwks)).sub());
        String tampered = edDsa(alg, "ed-1", valid()).replaceFirst("\\.[^.]+\\.", "."
                + B64.encodeToString(JSON.writeValueAsBytes(claims("role", "service_role", "exp", NOW + 9))) + ".");
        assertEquals(Kind.SIGNATURE_INVALID, rejected(tampered, tenant(null, jwks)).kind());
    }

    @Test
    void verifyAloneDoesNotNeedRoleOrExp() {
        TokenVerification result = verifier.verify(new TokenSigner(SECRET).sign(claims("sub", "x")),
                tenant(SECRET, null));
        VerifiedClaims c = assertInstanceOf(VerifiedClaims.class, result);
        assertNull(c.role());
        assertNull(c.exp());
        assertEquals(Kind.MISSING_CLAIMS, verifier.requireRoleAndExp(c).orElseThrow().kind());
    }

    @Test
    void tokensAreCleanedUpFirst() {
        String token = new TokenSigner(SECRET).sign(valid());
        String mangled = token.substring(0, 10) + "\n  " + token.substring(10, 20) + "\t"
                + token.substring(20).replace(".", "%2E") + "\r\n";
        accepted(mangled, tenant(SECRET, null));
    }

    @Test
    void expAndIatAreRounded() {
        VerifiedClaims c = accepted(new TokenSigner(SECRET).sign(
                claims("role", "anon", "exp", NOW + 100.6, "iat", NOW - 0.2)), tenant(SECRET, null));
        assertEquals(NOW + 101, c.exp());
        assertEquals(NOW, c.claims().get("iat"));
        assertTrue(c.claimsJson().contains("\"exp\":" + (NOW + 101)), c.claimsJson());
    }

    // ---- rejections, each in its three renderings -----------------------------------------------

    private static void renders(TokenRejection r, Kind kind, String connect, String join, String system) {
        assertEquals(kind, r.kind());
        assertEquals(401, r.connectStatus());
        assertEquals(connect, r.connectMessage());
        assertEquals("{\"error\":\"" + connect.replace("\"", "\\\"") + "\"}", r.connectBody());
        assertEquals(join, r.joinReason());
        assertEquals(system, r.systemMessage());
    }

    @Test
    void missingToken() {
        renders(rejected(null, tenant(SECRET, null)), Kind.MISSING_TOKEN, "API key is missing",
                "MissingAPIKey: API key is missing", "API key is missing");
        assertEquals(Kind.MISSING_TOKEN, rejected(" \n", tenant(SECRET, null)).kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-jwt", "a.b", "a.b.c.d", "e30.W10.x", "!!!.e30.x", "sb_publishable_abc123"})
    void malformed(String token) {
        renders(rejected(token, tenant(SECRET, null)), Kind.MALFORMED, "The token provided is not a valid JWT",
                "MalformedJWT: The token provided is not a valid JWT", "The token provided is not a valid JWT");
    }

    @Test
    void badSignature() {
        renders(rejected(new TokenSigner("another-secret").sign(valid()), tenant(SECRET, null)),
                Kind.SIGNATURE_INVALID, "Failed to validate JWT signature",
                "JwtSignatureError: Failed to validate JWT signature", "Failed to validate JWT signature");
        String token = new TokenSigner(SECRET).sign(valid());
        assertEquals(Kind.SIGNATURE_INVALID,
                rejected(token.substring(0, token.lastIndexOf('.') + 1) + "***", tenant(SECRET, null)).kind());
    }

    @Test
    void noSigner() throws Exception {
        String generic = "Failed to generate JWT signer, check your JWT secret or JWKS configuration";
        String rsNoKid = nimbus(new JWSHeader(JWSAlgorithm.RS256), valid(), new RSASSASigner(rsa));
        renders(rejected(rsNoKid, tenant(SECRET, jwks)), Kind.SIGNER_UNAVAILABLE, generic,
                "JwtSignerError: " + generic, generic);
        String rsNoJwks = nimbus(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), valid(),
                new RSASSASigner(rsa));
        assertEquals(generic, rejected(rsNoJwks, tenant(SECRET, null)).message());
        assertEquals(generic, rejected(raw(claims("alg", "none"), valid(), "HS256", new byte[1]),
                tenant(SECRET, null)).message());
        assertEquals(generic, rejected(raw(claims("alg", "PS256", "kid", "rsa-1"), valid(), "HS256", new byte[1]),
                tenant(SECRET, jwks)).message());
        assertEquals(generic, rejected(new TokenSigner(SECRET).sign(valid()), tenant(null, jwks)).message(),
                "HS* token for a tenant without a secret");

        String withKid = "Failed to generate JWT signer for key ID (kid) \"nope\", check your JWT secret or JWKS"
                + " configuration";
        String unknownKid = nimbus(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("nope").build(), valid(),
                new ECDSASigner(ec));
        renders(rejected(unknownKid, tenant(SECRET, jwks)), Kind.SIGNER_UNAVAILABLE, withKid,
                "JwtSignerError: " + withKid, withKid);
        assertEquals(Kind.SIGNER_UNAVAILABLE, rejected(edDsa("EdDSA", "x-1", valid()), tenant(null, jwks)).kind(),
                "X25519 is not a signing curve");
        assertEquals(Kind.SIGNER_UNAVAILABLE, rejected(nimbus(new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID("ec-1").build(), valid(), new RSASSASigner(rsa)), tenant(null, jwks)).kind(),
                "the kid names a key of another type");
    }

    @Test
    void expired() {
        renders(rejected(new TokenSigner(SECRET).sign(claims("role", "anon", "exp", NOW - 42)), tenant(SECRET, null)),
                Kind.EXPIRED, "Token has expired", "InvalidJWTToken: Token has expired 42 seconds ago",
                "Token has expired 42 seconds ago");
        assertEquals("Token has expired 0 seconds ago", rejected(new TokenSigner(SECRET).sign(
                claims("role", "anon", "exp", NOW)), tenant(SECRET, null)).message());
        // expiry is checked whether or not role/exp are required
        assertInstanceOf(TokenRejection.class, verifier.verify(new TokenSigner(SECRET).sign(
                claims("exp", NOW - 1)), tenant(SECRET, null)));
        // one second later the same token is accepted by a verifier whose clock is earlier
        String token = new TokenSigner(SECRET).sign(claims("role", "anon", "exp", NOW + 1));
        accepted(token, tenant(SECRET, null));
        assertInstanceOf(TokenRejection.class, new JwtVerifier(Clock.offset(CLOCK, java.time.Duration.ofSeconds(1)))
                .verifyWithRoleAndExp(token, tenant(SECRET, null)));
    }

    @Test
    void missingRoleOrExp() {
        String message = "Fields `role` and `exp` are required in JWT";
        for (Map<String, Object> c : List.of(claims("exp", NOW + 60), claims("role", "anon"),
                claims("role", 7, "exp", NOW + 60))) {
            renders(rejected(new TokenSigner(SECRET).sign(c), tenant(SECRET, null)), Kind.MISSING_CLAIMS, message,
                    "InvalidJWTToken: " + message, message);
        }
    }

    @Test
    void invalidExpiration() {
        String message = "Token expiration time is invalid";
        // after now as a float, but rounds to now: upstream's confirm_token case
        renders(rejected(new TokenSigner(SECRET).sign(claims("role", "anon", "exp", NOW + 0.4)), tenant(SECRET, null)),
                Kind.EXPIRATION_INVALID, message, "InvalidJWTToken: " + message, message);
        assertEquals(Kind.EXPIRATION_INVALID, rejected(new TokenSigner(SECRET).sign(
                claims("role", "anon", "exp", "tomorrow")), tenant(SECRET, null)).kind());
    }

    @Test
    void invalidIssuedAt() {
        TokenRejection r = rejected(new TokenSigner(SECRET).sign(claims("role", "anon", "exp", NOW + 60, "iat", "x")),
                tenant(SECRET, null));
        renders(r, Kind.ISSUED_AT_INVALID, "Token issued at time (iat) must be a number",
                "InvalidJWTToken: Token issued at time (iat) must be a number",
                "Token issued at time (iat) must be a number");
    }

    @Test
    void kidIsQuotedLikeElixirInspect() {
        TokenRejection r = TokenRejection.signerUnavailable("a\"b\\c#{d}");
        assertEquals("Failed to generate JWT signer for key ID (kid) \"a\\\"b\\\\c\\#{d}\", check your JWT secret"
                + " or JWKS configuration", r.message());
        assertEquals("{\"error\":\"Failed to generate JWT signer for key ID (kid) \\\"a\\\\\\\"b\\\\\\\\c\\\\#{d}\\\","
                + " check your JWT secret or JWKS configuration\"}", r.connectBody());
    }

    // ---- signer ---------------------------------------------------------------------------------

    @Test
    void signerMintsVerifiableTokensAndKeepsItsSecret() {
        TokenSigner signer = new TokenSigner(SECRET, "HS384");
        String token = signer.sign("service_role", Instant.ofEpochSecond(NOW), Instant.ofEpochSecond(NOW + 60));
        VerifiedClaims c = accepted(token, tenant(SECRET, null));
        assertEquals("service_role", c.role());
        assertEquals(Map.of("role", "service_role", "iat", NOW, "exp", NOW + 60), c.claims());
        assertTrue(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8)
                .equals("{\"alg\":\"HS384\",\"typ\":\"JWT\"}"));
        assertEquals(token, signer.sign("service_role", Instant.ofEpochSecond(NOW), Instant.ofEpochSecond(NOW + 60)));
        assertFalse(signer.toString().contains(SECRET));
        assertThrows(IllegalArgumentException.class, () -> new TokenSigner(SECRET, "RS256"));
        assertThrows(IllegalArgumentException.class, () -> new TokenSigner(""));
    }
}
