package io.fmi.channel.direct;

/**
 * How a data frame's tag carries the communicator a message belongs to, on a connection shared
 * by a communicator and its sub-communicators ({@code split}, {@code dup}): communicator 0 (the
 * channel's own) sends its sequence numbers as they are; a sub-communicator's id (a positive
 * 31-bit number) rides in the high 32 bits and the sequence number in the low 32. The frame
 * header reserves a {@code context} field for this (see {@link FrameCodec}); until it carries the
 * id, the tag does. Stateless.
 */
final class ContextTags {
    private ContextTags() {
    }

    /** The frame tag of a message of communicator {@code comm} with sequence number {@code seq}. */
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

    /** The communicator id of a data frame's tag. */
    static int comm(long tag) {
        return (int) (tag >>> 32);
    }

    /** The sequence number of a data frame's tag. */
    static long seq(long tag) {
        return tag >>> 32 == 0 ? tag : tag & 0xFFFF_FFFFL;
    }
}
