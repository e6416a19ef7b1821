package io.mudrock.realtime.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HS256/384/512 with the JDK. Used instead of nimbus' MAC classes because those refuse secrets shorter
 * than the hash (256 bits for HS256), while upstream accepts any secret and deployed tenants have short
 * ones.
 */
final class Hmac {

    private Hmac() {
    }

    /** The JCA name for a JWS HMAC algorithm, or null when {@code alg} is not one. */
    static String jcaName(String alg) {
        if (alg == null) {
            return null;
        }
        return switch (alg) {
            case "HS256" -> "HmacSHA256";
            case "HS384" -> "HmacSHA384";
            case "HS512" -> "HmacSHA512";
            default -> null;
        };
    }

    /** The MAC of {@code data}; {@code key} must not be empty. */
    static byte[] compute(String jcaName, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(jcaName);
            mac.init(new SecretKeySpec(key, jcaName));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(jcaName + " is not available in this JVM", e);
        }
    }

    /** Constant-time check of a MAC. */
    static boolean verify(String jcaName, byte[] key, byte[] data, byte[] signature) {
        return MessageDigest.isEqual(compute(jcaName, key, data), signature);
    }
}
