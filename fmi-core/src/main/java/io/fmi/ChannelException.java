package io.fmi;

/** A channel could not carry an operation: a server refused, a resource is missing, a limit of the store was hit. */
public class ChannelException extends FmiException {
    private static final long serialVersionUID = 1L;
    /** Whether repeating the call may succeed. */
    private final boolean retryable;

    /**
     * A failure that repeating the call will not cure.
     *
     * @param message what failed: the operation, peer, channel and limit
     */
    public ChannelException(String message) {
        this(message, null, false);
    }

    /**
     * A failure that repeating the call will not cure, with the error the channel met.
     *
     * @param message what failed: the operation, peer, channel and limit
     * @param cause the underlying error (a client library's, an I/O error), or null
     */
    public ChannelException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * A failure that may or may not be transient.
     *
     * @param message what failed: the operation, peer, channel and limit
     * @param cause the underlying error, or null
     * @param retryable whether repeating the call may succeed (a throttled or briefly unavailable store)
     */
    public ChannelException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    @Override
    public boolean retryable() {
        return retryable;
    }
}
