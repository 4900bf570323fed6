package io.fmi;

/** A configuration file, key or builder argument is invalid. */
public class FmiConfigException extends FmiException {
    private static final long serialVersionUID = 1L;

    public FmiConfigException(String message) {
        super(message);
    }

    public FmiConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
