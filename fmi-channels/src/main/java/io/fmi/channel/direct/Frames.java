package io.fmi.channel.direct;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the Direct channel's frames (layout in {@link FrameReader}). Stateless.
 */
final class Frames {
    static final int HEADER_BYTES = 12;
    /** Control frame: the sender closes its communicator; payload empty. */
    static final long TAG_BYE = -1;
    /** Control frame: the sender aborts; payload is the reason in UTF-8 (no user data). */
    static final long TAG_ABORT = -2;
    /**
     * Payloads up to this size are copied into one pooled buffer; larger ones into pooled pieces of
     * this size, so no message, however large, makes the allocator map fresh memory (a 64 MiB
     * buffer is bigger than a pool chunk and would be allocated and freed per message).
     */
    static final int PIECE_BYTES = 256 * 1024;

    private Frames() {
    }

    /** A frame carrying a copy of {@code data} (position..limit; the position is not moved). */
    static ByteBuf encode(ByteBufAllocator alloc, long tag, ByteBuffer data) {
        int len = data.remaining();
        if (len <= PIECE_BYTES) {
            ByteBuf buf = alloc.directBuffer(HEADER_BYTES + len);
            buf.writeInt(len).writeLong(tag).writeBytes(data.duplicate());
            return buf;
        }
        CompositeByteBuf out = alloc.compositeDirectBuffer(2 + len / PIECE_BYTES);
        try {
            ByteBuf head = alloc.directBuffer(HEADER_BYTES + PIECE_BYTES);
            ByteBuffer src = data.duplicate();
            src.limit(src.position() + PIECE_BYTES);
            out.addComponent(true, head.writeInt(len).writeLong(tag).writeBytes(src));
            int pos = data.position() + PIECE_BYTES;
            int end = data.limit();
            while (pos < end) {
                int n = Math.min(PIECE_BYTES, end - pos);
                src = data.duplicate();
                src.position(pos).limit(pos + n);
                out.addComponent(true, alloc.directBuffer(n).writeBytes(src));
                pos += n;
            }
            ByteBuf r = out;
            out = null;
            return r;
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }

    static ByteBuf control(ByteBufAllocator alloc, long tag, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = alloc.directBuffer(HEADER_BYTES + b.length);
        buf.writeInt(b.length).writeLong(tag).writeBytes(b);
        return buf;
    }
}
