package io.mudrock.realtime.channel;

import java.util.Objects;

/** The outcome of verifying a client token: its claims, or the messages that refuse it. */
public sealed interface TokenVerdict permits TokenVerdict.Accepted, TokenVerdict.Refused {

    /**
     * A valid token carrying {@code role} and {@code exp}.
     *
     * @param claims the claims
     */
    record Accepted(ClientClaims claims) implements TokenVerdict {
        /**
         * Requires the claims.
         *
         * @param claims the claims
         */
        public Accepted {
            Objects.requireNonNull(claims, "claims");
        }
    }

    /**
     * A refused token, with the message of each place a token is checked (§1.5, §4.2, §7.4).
     *
     * @param connectMessage the {@code error} of a refused handshake, e.g. {@code Token has expired}
     * @param joinReason the join error reason, e.g. {@code InvalidJWTToken: Token has expired 3 seconds ago}
     * @param systemMessage the {@code system} error message on a joined channel, e.g.
     *     {@code Token has expired 3 seconds ago}
     */
    record Refused(String connectMessage, String joinReason, String systemMessage) implements TokenVerdict {
        /**
         * Requires all three messages.
         *
         * @param connectMessage the handshake message
         * @param joinReason the join reason
         * @param systemMessage the system message
         */
        public Refused {
            Objects.requireNonNull(connectMessage, "connectMessage");
            Objects.requireNonNull(joinReason, "joinReason");
            Objects.requireNonNull(systemMessage, "systemMessage");
        }
    }
}
