package io.fmi.channel.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The head of a list object: round trips, and heads that are not FMI's or name another key. */
class ListHeadTest {
    private static final byte[] ID = "job/run/p2p/3-5/17".getBytes(StandardCharsets.UTF_8);

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void shouldRoundTripEveryPayloadLengthAndChunkCount() {
        for (int length : new int[] {0, 1, 7, 4096, 65536}) {
            for (int more : new int[] {0, 1, 3, Integer.MAX_VALUE}) {
                byte[] payload = new byte[length + 5];
                for (int i = 0; i < payload.length; i++) {
                    payload[i] = (byte) (i * 31 + 7);
                }
                // A value whose position is not 0: the head carries `length` bytes from the position on.
                ByteBuffer value = ByteBuffer.wrap(payload).position(3);
                ByteBuffer head = ListHead.encode(ID, more, value, length);
                assertEquals(3, value.position(), "encode moved the value's position");
                assertEquals(ListHead.HEADER_BYTES + ID.length + length, head.remaining());
                assertTrue(ListHead.hasHeader(head));
                assertTrue(ListHead.isHeadOf(head, ID));
                assertEquals(more, ListHead.more(head));
                byte[] expected = new byte[length];
                System.arraycopy(payload, 3, expected, 0, length);
                assertArrayEquals(expected, bytes(ListHead.payload(head)), "length " + length + ", more " + more);
                assertEquals(0, head.position(), "reading moved the head's position");
            }
        }
    }

    @Test
    void shouldReadAHeadThatStartsInsideALargerBuffer() {
        ByteBuffer head = ListHead.encode(ID, 2, ByteBuffer.wrap(new byte[] {9, 8, 7}), 3);
        ByteBuffer inside = ByteBuffer.allocate(head.remaining() + 10).position(6);
        inside.put(head.duplicate()).flip().position(6);
        assertTrue(ListHead.isHeadOf(inside, ID));
        assertEquals(2, ListHead.more(inside));
        assertArrayEquals(new byte[] {9, 8, 7}, bytes(ListHead.payload(inside)));
    }

    @Test
    void shouldNotTakeAnotherKeysHeadOrForeignBytesForThisKeysHead() {
        ByteBuffer head = ListHead.encode(ID, 0, ByteBuffer.wrap(new byte[] {1}), 1);
        assertFalse(ListHead.isHeadOf(head, "job/run/p2p/3-5/18".getBytes(StandardCharsets.UTF_8)), "same length, other key");
        assertFalse(ListHead.isHeadOf(head, "job/run/p2p/3-5/1".getBytes(StandardCharsets.UTF_8)), "a prefix of the key");
        for (int length = 0; length < ListHead.HEADER_BYTES + ID.length; length++) {
            ByteBuffer cut = head.duplicate().limit(length);
            assertFalse(ListHead.isHeadOf(cut, ID), "cut to " + length + " B");
        }
        for (int length = 0; length < ListHead.HEADER_BYTES; length++) {
            assertFalse(ListHead.hasHeader(head.duplicate().limit(length)), "cut to " + length + " B");
        }
        ByteBuffer negativeKeyLength = ByteBuffer.allocate(16).putInt(0).putInt(-1).rewind();
        assertFalse(ListHead.hasHeader(negativeKeyLength));
        ByteBuffer keyBeyondTheEnd = ByteBuffer.allocate(16).putInt(0).putInt(9).rewind();
        assertFalse(ListHead.hasHeader(keyBeyondTheEnd));
        assertFalse(ListHead.isHeadOf(ByteBuffer.wrap("hello, world".getBytes(StandardCharsets.US_ASCII)), ID));
    }
}
