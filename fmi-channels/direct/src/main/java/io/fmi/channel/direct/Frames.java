package io.fmi.channel.direct;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The Direct channel's frames (layout in {@link FrameParser}): a 12-byte header, then the payload.
 * Stateless.
 */
final class Frames {
    static final int HEADER_BYTES = 12;
    /** Control frame: the sender closes its communicator; payload empty. */
    static final long TAG_BYE = -1;
    /** Control frame: the sender aborts; payload is the reason in UTF-8 (no user data). */
    static final long TAG_ABORT = -2;

    private Frames() {
    }

    /** The payload of a control frame. */
    static ByteBuffer controlPayload(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
