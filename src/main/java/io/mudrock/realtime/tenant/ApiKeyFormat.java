package io.mudrock.realtime.tenant;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What an opaque API key looks like and how it is hashed: the kind's prefix and 32 Base64URL
 * characters (192 random bits) for the keys we generate; a registered key from elsewhere may be
 * any length from {@link #MIN_LENGTH} to {@link #MAX_LENGTH} in the same alphabet. Pure and
 * thread-safe.
 */
public final class ApiKeyFormat {

    /** The shortest key accepted for registration: a guessable key would be a standing credential. */
    public static final int MIN_LENGTH = 32;
    /** The longest key accepted, so a hostile handshake cannot make us hash megabytes. */
    public static final int MAX_LENGTH = 256;

    private static final int RANDOM_BYTES = 24;
    private static final int HINT_CHARS = 4;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeyFormat() {
    }

    /** A new random key of this kind. */
    public static String generate(ApiKeyKind kind) {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return kind.prefix() + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The key of this kind derived from a secret: the embedded default's keys, which the start-up
     * banner can print again on every start although only their hashes are stored.
     */
    public static String derive(ApiKeyKind kind, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal(("mudrock-realtime api key " + kind.type()).getBytes(StandardCharsets.UTF_8));
            return kind.prefix() + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 32);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * Why a key offered for registration cannot be used, or empty when it can.
     *
     * @param kind the kind it is registered as
     * @param key  the key
     */
    public static Optional<String> problem(ApiKeyKind kind, String key) {
        if (!key.startsWith(kind.prefix())) {
            return Optional.of("must start with " + kind.prefix());
        }
        if (key.length() < MIN_LENGTH || key.length() > MAX_LENGTH) {
            return Optional.of("must be " + MIN_LENGTH + " to " + MAX_LENGTH + " characters long");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return Optional.of("may contain only letters, digits, '_' and '-'");
            }
        }
        return Optional.empty();
    }

    /** SHA-256 of the key's UTF-8 bytes: what is stored and looked up. */
    public static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The prefix and first characters of the key, safe to show and log. */
    public static String hint(ApiKeyKind kind, String key) {
        return key.substring(0, Math.min(key.length(), kind.prefix().length() + HINT_CHARS)) + "...";
    }
}
