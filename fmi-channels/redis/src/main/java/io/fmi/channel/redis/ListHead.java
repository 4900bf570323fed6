package io.fmi.channel.redis;

import java.nio.ByteBuffer;

/**
 * The head of a list object (an object with one reader, see {@link ListObjects}): the list's one
 * element, a header naming the object and then the payload or its first chunk. Integers are
 * big-endian.
 *
 * <pre>
 *   0        4        8                8 + n
 *   +--------+--------+----------------+--------------------------------+
 *   |  more  |   n    | key, n B UTF-8 | payload, or its first chunk    |
 *   +--------+--------+----------------+--------------------------------+
 *   more: number of further chunks, in the list &lt;key&gt;/chunks
 *   key:  the channel key (without key_prefix), by which a take recognises a head in a backup list
 * </pre>
 *
 * <p>Stateless and thread-safe; no method changes the position or limit of a buffer passed in.
 */
final class ListHead {
    /** Number of further chunks and key length at the start of a head; the key follows. */
    static final int HEADER_BYTES = 2 * Integer.BYTES;

    private ListHead() {
    }

    /**
     * A head naming {@code id}, announcing {@code more} further chunks and carrying the first
     * {@code length} bytes of {@code value} (from its position).
     */
    static ByteBuffer encode(byte[] id, int more, ByteBuffer value, int length) {
        ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES + id.length + length).putInt(more).putInt(id.length).put(id);
        return head.put(HEADER_BYTES + id.length, value, value.position(), length).rewind();
    }

    /** Whether {@code head} starts with a header naming {@code id}. */
    static boolean isHeadOf(ByteBuffer head, byte[] id) {
        int at = head.position();
        if (head.remaining() < HEADER_BYTES || head.getInt(at + Integer.BYTES) != id.length
                || head.remaining() < HEADER_BYTES + id.length) {
            return false;
        }
        for (int i = 0; i < id.length; i++) {
            if (head.get(at + HEADER_BYTES + i) != id[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code head} is long enough for a header and the key it announces. */
    static boolean hasHeader(ByteBuffer head) {
        int idBytes = head.remaining() < HEADER_BYTES ? -1 : head.getInt(head.position() + Integer.BYTES);
        return idBytes >= 0 && head.remaining() >= HEADER_BYTES + idBytes;
    }

    /** The number of further chunks {@code head} announces; negative only in what FMI did not write. */
    static int more(ByteBuffer head) {
        return head.getInt(head.position());
    }

    /** A view of the payload (or first chunk) that {@code head}, which {@link #hasHeader has a header}, carries. */
    static ByteBuffer payload(ByteBuffer head) {
        ByteBuffer first = head.duplicate();
        first.position(head.position() + HEADER_BYTES + head.getInt(head.position() + Integer.BYTES));
        return first;
    }
}
