package io.mudrock.bench;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** HS256 tokens with the claims the server requires (role, exp) plus an optional sub. */
public final class Jwt {

    private Jwt() {
    }

    public static String hs256(String secret, String role, String sub, long ttlSeconds) {
        try {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            long now = System.currentTimeMillis() / 1000;
            String claims = "{\"role\":\"" + role + "\",\"iat\":" + now + ",\"exp\":" + (now + ttlSeconds)
                    + (sub == null ? "" : ",\"sub\":\"" + sub + "\"") + "}";
            String body = b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String sig = b64.encodeToString(mac.doFinal((header + "." + body).getBytes(StandardCharsets.UTF_8)));
            return header + "." + body + "." + sig;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
