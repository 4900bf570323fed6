package io.fmi;

/** A blocking operation did not complete before its deadline. The message names the operation, the peer and the channel. */
public class FmiTimeoutException extends FmiException {
    private static final long serialVersionUID = 1L;

    /**
     * A deadline that passed.
     *
     * @param message the operation, the peer waited for, the channel and the deadline
     */
    public FmiTimeoutException(String message) {
        super(message);
    }

    /**
     * A deadline that passed, with the last error seen while waiting.
     *
     * @param message the operation, the peer waited for, the channel and the deadline
     * @param cause the last error seen while waiting, or null
     */
    public FmiTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
