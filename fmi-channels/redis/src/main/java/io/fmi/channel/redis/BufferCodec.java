package io.fmi.channel.redis;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.ByteBuffer;

/**
 * UTF-8 keys, {@link ByteBuffer} values. Values are written as they are (a view, no copy: the
 * caller keeps the buffer unchanged until the command completed) and read into a fresh array that
 * the returned buffer wraps exactly, so {@code value.array()} is the payload. Stateless.
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
}
