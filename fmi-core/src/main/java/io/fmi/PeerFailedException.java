package io.fmi;

/**
 * A peer this operation depends on failed, closed its communicator or lost its connection.
 * Raised at once on every peer waiting for it, never after waiting out the deadline when the
 * failure is known.
 */
public class PeerFailedException extends FmiException {
    private static final long serialVersionUID = 1L;
    /** Rank of the failed peer, or -1. */
    private final int peer;

    /**
     * A failure of a peer.
     *
     * @param peer rank of the failed peer, or -1 when not known
     * @param message what failed and how it was noticed
     */
    public PeerFailedException(int peer, String message) {
        super(message);
        this.peer = peer;
    }

    /**
     * A failure of a peer, with the error that revealed it.
     *
     * @param peer rank of the failed peer, or -1 when not known
     * @param message what failed and how it was noticed
     * @param cause the error that revealed it (a reset connection, an abort notice), or null
     */
    public PeerFailedException(int peer, String message, Throwable cause) {
        super(message, cause);
        this.peer = peer;
    }

    /**
     * Rank of the failed peer, or -1 when it is not known which peer failed.
     *
     * @return the rank, or -1
     */
    public int peer() {
        return peer;
    }
}
