package io.fmi;

/** A channel could not carry an operation: a server refused, a resource is missing, a limit of the store was hit. */
public class ChannelException extends FmiException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    public ChannelException(String message) {
        this(message, null, false);
    }

    public ChannelException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public ChannelException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    @Override
    public boolean retryable() {
        return retryable;
    }
}
