package io.fmi.channel.redis;

import io.fmi.ChannelException;
import io.fmi.channel.OpContext;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * UTF-8 keys, {@link ByteBuffer} values. Values are written as they are (a view, no copy: the
 * caller keeps the buffer unchanged until the command completed) and read into a fresh array that
 * the returned buffer wraps exactly, so {@code value.array()} is the payload; {@link #bytesOf}
 * and {@link #join} turn values read back into a payload, copying only what must be.
 *
 * <p>Stateless and thread-safe.
 */
final class BufferCodec implements RedisCodec<String, ByteBuffer> {
    static final BufferCodec INSTANCE = new BufferCodec();

    private BufferCodec() {
    }

    @Override
    public String decodeKey(ByteBuffer bytes) {
        return StringCodec.UTF8.decodeKey(bytes);
    }

    @Override
    public ByteBuffer decodeValue(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return ByteBuffer.wrap(copy);
    }

    @Override
    public ByteBuffer encodeKey(String key) {
        return StringCodec.UTF8.encodeKey(key);
    }

    @Override
    public ByteBuffer encodeValue(ByteBuffer value) {
        return value.duplicate();
    }

    /** A value holding {@code s} in ASCII: numbers passed to commands and scripts. */
    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** The bytes of {@code b} (position..limit): its array when it wraps exactly that, else a copy. */
    static byte[] bytesOf(ByteBuffer b) {
        if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
            return b.array();
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** The chunks of object {@code k}, in order, as one payload. */
    static byte[] join(String k, List<ByteBuffer> parts, OpContext op) {
        if (parts.size() == 1) {
            return bytesOf(parts.get(0));
        }
        long total = 0;
        for (ByteBuffer p : parts) {
            total += p.remaining();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new ChannelException(op.label() + ": " + k + " holds " + total + " B, above the 2 GiB of one Java array " + op.where());
        }
        byte[] out = new byte[(int) total];
        int at = 0;
        for (ByteBuffer p : parts) {
            int len = p.remaining();
            p.duplicate().get(out, at, len);
            at += len;
        }
        return out;
    }
}
