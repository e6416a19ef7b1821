package io.mudrock.realtime.channel;

/** Verifies client tokens with a tenant's keys (connect, join, {@code access_token}, REST). */
@FunctionalInterface
public interface TokenVerifier {

    /**
     * Verifies a token for a tenant and requires the {@code role} and {@code exp} claims.
     *
     * @param tenantId the tenant's external id
     * @param token the token, possibly {@code null}
     * @return the claims or the refusal messages
     */
    TokenVerdict verify(String tenantId, String token);
}
