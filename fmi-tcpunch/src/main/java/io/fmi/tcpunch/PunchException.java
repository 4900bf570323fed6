package io.fmi.tcpunch;

/**
 * Why {@link HolePunchClient#connect} failed. The message names the pairing name, the peers, the
 * server and the deadline; {@link #reason()} classifies it and {@link #retryable()} says whether the
 * same call may succeed later.
 */
public class PunchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** The deadline passed (no peer registered, or no path worked in time). Retryable. */
        TIMEOUT(true),
        /** The server refused the shared secret or the request's freshness. */
        AUTH_FAILED(false),
        /** The other end of a punched connection failed the handshake: not the intended peer. */
        PEER_VERIFICATION_FAILED(false),
        /** The server refused the request (malformed, unsupported, ...). */
        REFUSED(false),
        /**
         * Another client holds a waiting registration of the same pairing name and self id
         * (server error DUPLICATE_REGISTRATION): another job with this name and run id is running.
         */
        DUPLICATE_REGISTRATION(false),
        /** The server refused for now (SERVER_FULL, busy, shutting down), still so after retries. Retryable. */
        BUSY(true),
        /** The server could not be reached, or closed the connection early, still so after retries. Retryable. */
        SERVER_UNREACHABLE(true),
        /** The client was closed or the call cancelled. */
        CLOSED(false);

        private final boolean retryable;

        Reason(boolean retryable) {
            this.retryable = retryable;
        }
    }

    /** Why the punch failed. */
    private final Reason reason;

    /**
     * @param reason  what went wrong
     * @param message names the pairing, the peers, the server and the deadline
     * @param cause   the underlying failure, or null
     */
    public PunchException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** A failure without an underlying cause; see {@link #PunchException(Reason, String, Throwable)}. */
    public PunchException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }

    /** Whether the same call may succeed later (a timeout, a busy or unreachable server). */
    public boolean retryable() {
        return reason.retryable;
    }
}
