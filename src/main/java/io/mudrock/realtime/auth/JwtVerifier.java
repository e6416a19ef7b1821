package io.mudrock.realtime.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import io.mudrock.realtime.tenant.Tenant;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies a token for a tenant the way upstream ({@code RealtimeWeb.ChannelsAuthorization} and
 * {@code JwtVerification}) does:
 * <ol>
 *   <li>Clean-up: percent-decode, remove whitespace and newlines.</li>
 *   <li>Key choice from the header: {@code HS256/384/512} use the {@code oct} key of the tenant JWKS whose
 *       {@code kid} matches, else the tenant {@code jwt_secret} (raw UTF-8 bytes); {@code RS*}, {@code ES*}
 *       and {@code EdDSA}/{@code Ed25519}/{@code Ed448} need a {@code kid} naming an {@code RSA}, {@code EC}
 *       or {@code OKP} key of the JWKS. JWKS are never fetched over HTTP.</li>
 *   <li>Signature, then {@code exp} (if present) a number after now, then {@code iat} (if present) a
 *       number. {@code exp} and {@code iat} are rounded.</li>
 * </ol>
 * {@link #requireRoleAndExp} is the separate connect/join step that also needs {@code role} and
 * {@code exp}. Stateless and thread-safe.
 */
public final class JwtVerifier {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() { };
    private static final Set<String> RSA_ALGS = Set.of("RS256", "RS384", "RS512");
    private static final Set<String> EC_ALGS = Set.of("ES256", "ES384", "ES512");
    private static final Set<String> ED_ALGS = Set.of("EdDSA", "Ed25519", "Ed448");
    /** DER SubjectPublicKeyInfo prefixes: the JDK reads Ed keys from X.509 encoding only. */
    private static final Map<String, byte[]> ED_X509_PREFIX = Map.of(
            "Ed25519", HexFormat.of().parseHex("302a300506032b6570032100"),
            "Ed448", HexFormat.of().parseHex("3043300506032b6571033a00"));

    private final Clock clock;

    /** @param clock the time {@code exp} is compared with */
    public JwtVerifier(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Signature and time claims, with the tenant's secret and JWKS. */
    public TokenVerification verify(String rawToken, Tenant tenant) {
        return verify(rawToken, tenant.jwtSecret(), tenant.jwtJwks());
    }

    /** What connect, join and {@code access_token} need: {@link #verify} then {@link #requireRoleAndExp}. */
    public TokenVerification verifyWithRoleAndExp(String rawToken, Tenant tenant) {
        TokenVerification result = verify(rawToken, tenant);
        if (result instanceof VerifiedClaims claims) {
            Optional<TokenRejection> missing = requireRoleAndExp(claims);
            if (missing.isPresent()) {
                return missing.get();
            }
        }
        return result;
    }

    /**
     * Upstream's {@code authorize_conn} step: {@code role} (a string here) and {@code exp} must be present,
     * and {@code exp} must still be after now once rounded.
     */
    public Optional<TokenRejection> requireRoleAndExp(VerifiedClaims claims) {
        if (claims.role() == null || claims.exp() == null) {
            return Optional.of(TokenRejection.missingClaims());
        }
        if (claims.exp() - clock.instant().getEpochSecond() <= 0) {
            return Optional.of(TokenRejection.expirationInvalid());
        }
        return Optional.empty();
    }

    /** Verification with explicit keys; also used for {@code API_JWT_SECRET}. */
    TokenVerification verify(String rawToken, String jwtSecret, String jwtJwks) {
        if (rawToken == null) {
            return TokenRejection.missingToken();
        }
        String token = clean(rawToken);
        if (token.isEmpty()) {
            return TokenRejection.missingToken();
        }
        String[] parts = token.split("\\.", -1);
        Map<String, Object> header = parts.length == 3 ? jsonObject(parts[0]) : null;
        Map<String, Object> claims = parts.length == 3 ? jsonObject(parts[1]) : null;
        if (header == null || claims == null) {
            return TokenRejection.malformed();
        }
        String alg = header.get("alg") instanceof String s ? s : null;
        String kid = header.get("kid") instanceof String s ? s : null;
        byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        byte[] signature = base64Url(parts[2]);
        TokenRejection signatureProblem = checkSignature(alg, kid, jwtSecret, jwtJwks, signingInput, signature);
        return signatureProblem != null ? signatureProblem : checkTimeClaims(claims);
    }

    private TokenRejection checkSignature(String alg, String kid, String jwtSecret, String jwtJwks,
                                          byte[] signingInput, byte[] signature) {
        List<?> keys = keys(jwtJwks);
        String hmac = Hmac.jcaName(alg);
        if (hmac != null) {
            byte[] key = jwtSecret == null ? null : jwtSecret.getBytes(StandardCharsets.UTF_8);
            Map<String, Object> oct = kid == null ? null : findKey(keys, "oct", kid);
            if (oct != null) {
                key = oct.get("k") instanceof String k ? base64UrlUnpadded(k) : null;
                if (key == null) {
                    return TokenRejection.signerUnavailable(kid);
                }
            }
            if (key == null || key.length == 0) {
                return TokenRejection.signerUnavailable(kid);
            }
            return signature != null && Hmac.verify(hmac, key, signingInput, signature)
                    ? null : TokenRejection.signatureInvalid();
        }
        String kty = RSA_ALGS.contains(alg) ? "RSA" : EC_ALGS.contains(alg) ? "EC" : ED_ALGS.contains(alg) ? "OKP" : null;
        if (kty == null || kid == null || keys == null) {
            return TokenRejection.signerUnavailable(null); // upstream: no kid, no JWKS or unknown alg
        }
        Map<String, Object> jwk = findKey(keys, kty, kid);
        if (jwk == null || ("OKP".equals(kty) && !ED_X509_PREFIX.containsKey(String.valueOf(jwk.get("crv"))))) {
            return TokenRejection.signerUnavailable(kid);
        }
        if (signature == null) {
            return TokenRejection.signatureInvalid();
        }
        try {
            boolean valid = "OKP".equals(kty)
                    ? verifyEdDsa(alg, jwk, signingInput, signature)
                    : nimbusVerifier(kty, jwk).verify(new JWSHeader(JWSAlgorithm.parse(alg)), signingInput,
                            Base64URL.encode(signature));
            return valid ? null : TokenRejection.signatureInvalid();
        } catch (ParseException | GeneralSecurityException | IllegalArgumentException | JsonProcessingException e) {
            return TokenRejection.signerUnavailable(kid); // the JWK itself is unusable
        } catch (JOSEException e) {
            return TokenRejection.signatureInvalid(); // e.g. a key of another curve than the alg
        }
    }

    private static JWSVerifier nimbusVerifier(String kty, Map<String, Object> jwk)
            throws ParseException, JOSEException, JsonProcessingException {
        String json = JSON.writeValueAsString(jwk);
        return "RSA".equals(kty)
                ? new RSASSAVerifier(RSAKey.parse(json).toRSAPublicKey())
                : new ECDSAVerifier(ECKey.parse(json).toECPublicKey());
    }

    /** EdDSA with the JDK, since nimbus' Ed25519 support needs Google Tink, which we do not ship. */
    private static boolean verifyEdDsa(String alg, Map<String, Object> jwk, byte[] input, byte[] signature)
            throws GeneralSecurityException {
        String curve = (String) jwk.get("crv");
        if (!"EdDSA".equals(alg) && !alg.equals(curve)) {
            return false;
        }
        byte[] x = jwk.get("x") instanceof String s ? base64Url(s) : null;
        if (x == null) {
            throw new GeneralSecurityException("OKP key without x");
        }
        byte[] prefix = ED_X509_PREFIX.get(curve);
        ByteArrayOutputStream der = new ByteArrayOutputStream();
        der.writeBytes(prefix);
        der.writeBytes(x);
        PublicKey key = KeyFactory.getInstance(curve).generatePublic(new X509EncodedKeySpec(der.toByteArray()));
        Signature verifier = Signature.getInstance(curve);
        verifier.initVerify(key);
        verifier.update(input);
        try {
            return verifier.verify(signature);
        } catch (SignatureException e) {
            return false; // wrong length or encoding: a bad signature, not a bad key
        }
    }

    private TokenVerification checkTimeClaims(Map<String, Object> claims) {
        long now = clock.instant().getEpochSecond();
        Object exp = claims.get("exp");
        if (exp != null) {
            if (!(exp instanceof Number n)) {
                return TokenRejection.expirationInvalid();
            }
            if (!(n.doubleValue() > now)) {
                return TokenRejection.expired(now - Math.round(n.doubleValue()));
            }
            claims.put("exp", Math.round(n.doubleValue()));
        }
        Object iat = claims.get("iat");
        if (iat != null) {
            if (!(iat instanceof Number n)) {
                return TokenRejection.issuedAtInvalid();
            }
            claims.put("iat", Math.round(n.doubleValue()));
        }
        try {
            return new VerifiedClaims(
                    claims.get("role") instanceof String s ? s : null,
                    claims.get("sub") instanceof String s ? s : null,
                    (Long) claims.get("exp"),
                    JSON.writeValueAsString(claims),
                    claims);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("claims parsed from JSON must serialise", e);
        }
    }

    /** Upstream's clean-up: {@code URI.decode} then drop every whitespace character. */
    static String clean(String token) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] raw = token.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            int hi = i + 2 < raw.length && raw[i] == '%' ? Character.digit(raw[i + 1], 16) : -1;
            int lo = hi >= 0 ? Character.digit(raw[i + 2], 16) : -1;
            if (lo >= 0) {
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                bytes.write(raw[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).replaceAll("\\s", "");
    }

    /** The {@code keys} array of a JWKS, or null when there is none. */
    private static List<?> keys(String jwks) {
        if (jwks == null) {
            return null;
        }
        try {
            return JSON.readValue(jwks, OBJECT).get("keys") instanceof List<?> keys ? keys : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> findKey(List<?> keys, String kty, String kid) {
        if (keys != null) {
            for (Object key : keys) {
                if (key instanceof Map<?, ?> map && kty.equals(map.get("kty")) && kid.equals(map.get("kid"))) {
                    return (Map<String, Object>) map;
                }
            }
        }
        return null;
    }

    private static Map<String, Object> jsonObject(String base64Url) {
        byte[] bytes = base64Url(base64Url);
        if (bytes == null) {
            return null;
        }
        try {
            return JSON.readValue(bytes, OBJECT);
        } catch (IOException e) {
            return null;
        }
    }

    /** Base64URL with or without padding, or null. */
    private static byte[] base64Url(String text) {
        try {
            return Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Upstream decodes {@code oct} keys with {@code padding: false}: padded values are refused. */
    private static byte[] base64UrlUnpadded(String text) {
        return text.indexOf('=') >= 0 ? null : base64Url(text);
    }
}
