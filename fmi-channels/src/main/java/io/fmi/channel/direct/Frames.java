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

    /** A whole frame carrying a copy of {@code data} (position..limit; the position is not moved). */
    static byte[] encode(long tag, ByteBuffer data) {
        int len = data.remaining();
        byte[] frame = new byte[HEADER_BYTES + len];
        ByteBuffer.wrap(frame).putInt(len).putLong(tag).put(data.duplicate());
        return frame;
    }

    /** The payload of a control frame. */
    static ByteBuffer controlPayload(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
