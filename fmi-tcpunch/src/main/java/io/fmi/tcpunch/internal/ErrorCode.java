package io.fmi.tcpunch.internal;

/** Codes of the ERROR frame (uint16 on the wire). Unknown codes decode as {@link #UNKNOWN}. */
public enum ErrorCode {
    UNKNOWN(0, false),
    MALFORMED(1, false),
    UNSUPPORTED_VERSION(2, false),
    AUTH_FAILED(3, false),
    REPLAYED(4, false),
    NAME_IN_USE(5, true),
    SERVER_FULL(6, true),
    EXPIRED(7, true),
    /** No longer sent: a second registration of a waiting peer now gets {@link #DUPLICATE_REGISTRATION}. */
    SUPERSEDED(8, false),
    UNKNOWN_TOKEN(9, false),
    TOO_SLOW(10, true),
    UNEXPECTED_FRAME(11, false),
    INTERNAL(12, true),
    SHUTTING_DOWN(13, true),
    /**
     * Another connection already holds a waiting registration of this pairing name and self id
     * (e.g. two jobs run with the same communicator name and run id). Not retryable: the holder
     * keeps its registration.
     */
    DUPLICATE_REGISTRATION(14, false);

    private final int code;
    private final boolean retryable;

    ErrorCode(int code, boolean retryable) {
        this.code = code;
        this.retryable = retryable;
    }

    public int code() {
        return code;
    }

    /** Whether the same request may succeed later (the server was busy, the peer was late, ...). */
    public boolean retryable() {
        return retryable;
    }

    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return UNKNOWN;
    }
}
