package io.mudrock.realtime.auth;

/** The outcome of verifying a token: {@link VerifiedClaims} or {@link TokenRejection}. */
public sealed interface TokenVerification permits VerifiedClaims, TokenRejection {
}
