package io.fmi;

/** A blocking operation did not complete before its deadline. The message names the operation, the peer and the channel. */
public class FmiTimeoutException extends FmiException {
    private static final long serialVersionUID = 1L;

    public FmiTimeoutException(String message) {
        super(message);
    }

    public FmiTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
