package io.fmi.tcpunch.internal;

import io.netty.handler.codec.DecoderException;

/** A frame broke the protocol; {@link #code()} is what goes back in the ERROR frame. */
public final class ProtocolException extends DecoderException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ProtocolException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
