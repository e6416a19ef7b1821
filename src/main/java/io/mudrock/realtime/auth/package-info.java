/**
 * JWT verification as Supabase Realtime does it: per tenant with its decrypted {@code jwt_secret} (HS*)
 * or its stored {@code jwt_jwks} (RS*, ES*, EdDSA, and {@code oct} keys by {@code kid}), for sockets,
 * joins and token refreshes; plus the admin API's check ({@code API_JWT_SECRET}, {@code API_JWT_SECRET_NEXT},
 * {@code API_TOKEN_BLOCKLIST}, and the role rule under a shared secret) and a signer for HS* tokens.
 *
 * <p>Rejections carry upstream's exact texts in the three places a client sees them: the HTTP answer
 * to a refused handshake, a join error reason and a channel {@code system} message.
 */
package io.mudrock.realtime.auth;
