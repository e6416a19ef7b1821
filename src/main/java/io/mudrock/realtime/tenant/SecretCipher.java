package io.mudrock.realtime.tenant;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts tenant secrets exactly as upstream {@code Realtime.Crypto} does, so rows written by
 * either server are readable by the other.
 *
 * <ul>
 *   <li>Legacy: AES-128-ECB, PKCS#7 padding, standard Base64, no prefix; key {@code DB_ENC_KEY}
 *       (exactly 16 bytes).</li>
 *   <li>{@code g1:}: AES-256-GCM, 12-byte random IV, empty AAD, 16-byte tag, stored as
 *       {@code "g1:" + Base64(IV ‖ TAG ‖ CIPHERTEXT)}; key {@code DB_ENC_KEY_GCM} (exactly 32 bytes).
 *       Note the tag comes before the ciphertext, unlike Java's output.</li>
 * </ul>
 * New values are written as {@code g1:} when a GCM key is configured, else legacy.
 *
 * <p>Decryption never throws: it returns a {@link Decryption} saying what the stored value turned out to
 * be. Values people typed into the table by hand (the setup-guide trap) come back as
 * {@link Outcome#NOT_ENCRYPTED} or {@link Outcome#UNDECRYPTABLE_LEGACY} and are used literally, because a
 * plaintext secret that works is better than a server that refuses every token; the store reports them.
 * A {@code g1:} value that fails authentication is certainly ciphertext, so it is refused.
 */
public final class SecretCipher {

    private static final String GCM_PREFIX = "g1:";
    private static final int GCM_IV_BYTES = 12;
    private static final int GCM_TAG_BYTES = 16;
    private static final int AES_BLOCK = 16;

    private final SecretKeySpec legacyKey;
    private final SecretKeySpec gcmKey;
    private final Supplier<byte[]> ivSource;

    /**
     * @param dbEncKey    {@code DB_ENC_KEY}: 16 bytes, or null/empty when only GCM is used
     * @param dbEncKeyGcm {@code DB_ENC_KEY_GCM}: 32 bytes, or null/empty for legacy writes
     * @throws IllegalArgumentException when a key has the wrong length or both are missing
     */
    public SecretCipher(String dbEncKey, String dbEncKeyGcm) {
        this(dbEncKey, dbEncKeyGcm, randomIvs());
    }

    /** Lets tests fix the GCM IV to reproduce known vectors. */
    SecretCipher(String dbEncKey, String dbEncKeyGcm, Supplier<byte[]> ivSource) {
        this.legacyKey = key(dbEncKey, 16, "DB_ENC_KEY");
        this.gcmKey = key(dbEncKeyGcm, 32, "DB_ENC_KEY_GCM");
        if (legacyKey == null && gcmKey == null) {
            throw new IllegalArgumentException("DB_ENC_KEY (16 bytes) or DB_ENC_KEY_GCM (32 bytes) must be set");
        }
        this.ivSource = Objects.requireNonNull(ivSource);
    }

    private static SecretKeySpec key(String text, int length, String name) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length != length) {
            throw new IllegalArgumentException(name + " must be exactly " + length + " bytes, it has " + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }

    private static Supplier<byte[]> randomIvs() {
        SecureRandom random = new SecureRandom();
        return () -> {
            byte[] iv = new byte[GCM_IV_BYTES];
            random.nextBytes(iv);
            return iv;
        };
    }

    /** Whether {@link #encrypt} writes {@code g1:} values. */
    public boolean writesGcm() {
        return gcmKey != null;
    }

    /** Encrypts a plaintext for storage ({@code g1:} when a GCM key is configured, else legacy). */
    public String encrypt(String plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] data = plaintext.getBytes(StandardCharsets.UTF_8);
        try {
            if (gcmKey != null) {
                byte[] iv = ivSource.get();
                if (iv.length != GCM_IV_BYTES) {
                    throw new IllegalStateException("GCM IV must be 12 bytes");
                }
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.ENCRYPT_MODE, gcmKey, new GCMParameterSpec(GCM_TAG_BYTES * 8, iv));
                byte[] sealed = cipher.doFinal(data); // ciphertext ‖ tag
                int cipherLength = sealed.length - GCM_TAG_BYTES;
                ByteBuffer out = ByteBuffer.allocate(GCM_IV_BYTES + sealed.length);
                out.put(iv).put(sealed, cipherLength, GCM_TAG_BYTES).put(sealed, 0, cipherLength);
                return GCM_PREFIX + Base64.getEncoder().encodeToString(out.array());
            }
            Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding"); // PKCS5 = PKCS7 for 16-byte blocks
            cipher.init(Cipher.ENCRYPT_MODE, legacyKey);
            return Base64.getEncoder().encodeToString(cipher.doFinal(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available in this JVM", e);
        }
    }

    /** Decrypts a stored value, or says why it could not; never throws. */
    public Decryption decrypt(String stored) {
        Objects.requireNonNull(stored, "stored");
        if (stored.startsWith(GCM_PREFIX)) {
            return decryptGcm(stored.substring(GCM_PREFIX.length()));
        }
        byte[] blocks = strictBase64(stored);
        if (blocks == null || blocks.length == 0 || blocks.length % AES_BLOCK != 0) {
            return new Decryption(stored, Outcome.NOT_ENCRYPTED);
        }
        if (legacyKey == null) {
            return new Decryption(stored, Outcome.UNDECRYPTABLE_LEGACY);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
            cipher.init(Cipher.DECRYPT_MODE, legacyKey);
            String text = readableText(cipher.doFinal(blocks));
            return text == null
                    ? new Decryption(stored, Outcome.UNDECRYPTABLE_LEGACY)
                    : new Decryption(text, Outcome.DECRYPTED_LEGACY);
        } catch (GeneralSecurityException e) { // bad padding: wrong key, or Base64-looking plaintext
            return new Decryption(stored, Outcome.UNDECRYPTABLE_LEGACY);
        }
    }

    private Decryption decryptGcm(String base64) {
        byte[] all = strictBase64(base64);
        if (gcmKey == null || all == null || all.length < GCM_IV_BYTES + GCM_TAG_BYTES) {
            return new Decryption(null, Outcome.UNDECRYPTABLE_GCM);
        }
        try {
            int bodyLength = all.length - GCM_IV_BYTES - GCM_TAG_BYTES;
            ByteBuffer sealed = ByteBuffer.allocate(bodyLength + GCM_TAG_BYTES); // Java wants ciphertext ‖ tag
            sealed.put(all, GCM_IV_BYTES + GCM_TAG_BYTES, bodyLength).put(all, GCM_IV_BYTES, GCM_TAG_BYTES);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, gcmKey,
                    new GCMParameterSpec(GCM_TAG_BYTES * 8, Arrays.copyOf(all, GCM_IV_BYTES)));
            String text = readableText(cipher.doFinal(sealed.array()));
            return text == null
                    ? new Decryption(null, Outcome.UNDECRYPTABLE_GCM)
                    : new Decryption(text, Outcome.DECRYPTED_GCM);
        } catch (GeneralSecurityException e) {
            return new Decryption(null, Outcome.UNDECRYPTABLE_GCM);
        }
    }

    /** Canonical padded Base64 only, as upstream's {@code Base.decode64!}; null otherwise. */
    private static byte[] strictBase64(String text) {
        if (text.isEmpty() || text.length() % 4 != 0) {
            return null;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(text);
            return Base64.getEncoder().encodeToString(bytes).equals(text) ? bytes : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Valid UTF-8 without control characters, else null: a wrong ECB key passes the padding check one
     * time in 256 and yields binary garbage, which must not become a secret.
     */
    private static String readableText(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return text.chars().anyMatch(Character::isISOControl) ? null : text;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** What a stored value turned out to be. */
    public enum Outcome {
        /** Legacy AES-128-ECB value, decrypted. */
        DECRYPTED_LEGACY,
        /** {@code g1:} AES-256-GCM value, decrypted. */
        DECRYPTED_GCM,
        /** Not Base64 of whole AES blocks: plaintext typed into the table. Used as it is. */
        NOT_ENCRYPTED,
        /**
         * Base64 of whole AES blocks that does not decrypt with {@code DB_ENC_KEY}: Base64-looking plaintext
         * (a GoTrue secret is exactly that) or a value encrypted with another key. Used as it is.
         */
        UNDECRYPTABLE_LEGACY,
        /** A {@code g1:} value that fails authentication or has no key: refused. */
        UNDECRYPTABLE_GCM;

        /** Whether the value was properly encrypted and decrypted. */
        public boolean clean() {
            return this == DECRYPTED_LEGACY || this == DECRYPTED_GCM;
        }
    }

    /**
     * The result of {@link #decrypt}.
     *
     * @param value   the value to use: the plaintext, the stored text itself when it is used literally, or
     *                null when refused
     * @param outcome what the stored value turned out to be
     */
    public record Decryption(String value, Outcome outcome) {
        /** Never prints the value. */
        @Override
        public String toString() {
            return "Decryption[outcome=" + outcome + ", value=" + (value == null ? "none" : "***") + "]";
        }
    }
}
