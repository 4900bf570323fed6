package io.fmi;

/**
 * Root of the FMI exception tree. All FMI exceptions are unchecked.
 *
 * <p>Messages name the operation, the peers, the channel and the limit that was hit, for example
 * {@code "allreduce: no message from rank 3 within 60000 ms (channel=direct, comm=kmeans rank=1/8)"}.
 * {@link #retryable()} tells whether repeating the same call may succeed.
 */
public class FmiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An error with its message.
     *
     * @param message what failed, naming the operation, peer, channel and limit
     */
    public FmiException(String message) {
        super(message);
    }

    /**
     * An error with its message and cause.
     *
     * @param message what failed, naming the operation, peer, channel and limit
     * @param cause the underlying error, or null
     */
    public FmiException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether the same call may succeed if repeated (a transient condition); {@code false} by default.
     *
     * @return true for a transient condition
     */
    public boolean retryable() {
        return false;
    }
}
