package io.mudrock.realtime.config;

/**
 * A configuration value that cannot be used. The message is the single line the operator reads:
 * it names the variable, the value and what is expected.
 */
public final class InvalidConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message one line naming the variable and what is wrong */
    public InvalidConfigurationException(String message) {
        super(message);
    }
}
