package io.fmi.examples.launch;

/**
 * A job could not run on Lambda: a function could not be invoked (throttled, refused, an AWS
 * error), failed, or did not answer in time. The message names the rank and the AWS error.
 */
public final class LaunchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int rank;

    LaunchException(int rank, String message, Throwable cause) {
        super(message, cause);
        this.rank = rank;
    }

    /** The rank whose invocation failed first, or -1 when the job failed before or after its invocations. */
    public int rank() {
        return rank;
    }
}
