package io.fmi;

/**
 * The ranks of a communicator did not call the same collective at the same point: one ran
 * {@code bcast} where another ran {@code allreduce}, or the same collective with another root or
 * another size. Raised, naming both calls, on every rank that receives a message of the other
 * collective, and on the ranks waiting for one of those (they are told by it), rather than
 * taking the other collective's bytes as data. A rank that only sent (the root of a
 * {@code bcast}) may complete without noticing. The sequence numbers stay aligned, so the
 * communicator's next collective runs normally when every rank calls the same one.
 */
public class CollectiveMismatchException extends FmiException {
    private static final long serialVersionUID = 1L;

    /**
     * An error with its message.
     *
     * @param message names both collectives, the peer and the channel
     */
    public CollectiveMismatchException(String message) {
        super(message);
    }
}
