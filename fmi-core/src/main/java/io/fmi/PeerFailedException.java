package io.fmi;

/**
 * A peer this operation depends on failed, closed its communicator or lost its connection.
 * Raised at once on every peer waiting for it, never after waiting out the deadline when the
 * failure is known.
 */
public class PeerFailedException extends FmiException {
    private static final long serialVersionUID = 1L;
    private final int peer;

    public PeerFailedException(int peer, String message) {
        super(message);
        this.peer = peer;
    }

    public PeerFailedException(int peer, String message, Throwable cause) {
        super(message, cause);
        this.peer = peer;
    }

    /** Rank of the failed peer, or -1 when it is not known which peer failed. */
    public int peer() {
        return peer;
    }
}
