package io.fmi;

/** A configuration file, key or builder argument is invalid. */
public class FmiConfigException extends FmiException {
    private static final long serialVersionUID = 1L;

    /**
     * An invalid setting.
     *
     * @param message the key (e.g. {@code backends.Redis.port}), the value and what was expected
     */
    public FmiConfigException(String message) {
        super(message);
    }

    /**
     * An invalid setting, with the error met reading it.
     *
     * @param message the key, the value and what was expected
     * @param cause the parse or I/O error, or null
     */
    public FmiConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
