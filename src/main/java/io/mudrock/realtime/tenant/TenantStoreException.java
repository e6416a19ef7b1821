package io.mudrock.realtime.tenant;

/** The management database failed (connection, SQL); wraps the cause without any secret in the message. */
public final class TenantStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what the store was doing
     * @param cause   the JDBC failure
     */
    public TenantStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
