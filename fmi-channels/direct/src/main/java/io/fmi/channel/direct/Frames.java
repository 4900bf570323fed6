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

    /**
     * The frame tag of a message of communicator {@code comm} (a sub-communicator's id, 0 for the
     * channel's own) with sequence number {@code seq}: {@code seq} itself for communicator 0, so
     * its frames are unchanged; otherwise the id in the high 32 bits (ids are positive 31-bit
     * numbers, so the tag stays non-negative) and the sequence number in the low 32. Until the
     * frame header carries the communicator id in a field of its own.
     */
    static long tag(int comm, long seq) {
        if (comm == 0) {
            return seq;
        }
        if (comm < 0 || seq < 0 || seq > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("communicator " + comm + ", sequence number " + seq
                    + " (expected: a positive communicator id and a sequence number below 2^32)");
        }
        return ((long) comm << 32) | seq;
    }

    /** The communicator id of a data frame's tag (see {@link #tag}). */
    static int comm(long tag) {
        return (int) (tag >>> 32);
    }

    /** The sequence number of a data frame's tag (see {@link #tag}). */
    static long seq(long tag) {
        return tag >>> 32 == 0 ? tag : tag & 0xFFFF_FFFFL;
    }

    /** The payload of a control frame. */
    static ByteBuffer controlPayload(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
