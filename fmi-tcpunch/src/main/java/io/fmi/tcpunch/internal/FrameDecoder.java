package io.fmi.tcpunch.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Cuts the byte stream into whole frames (header included) and rejects a wrong magic or version as
 * soon as those bytes arrive, before waiting for a length that may never come. Frames longer than
 * {@link Wire#MAX_FRAME_LENGTH} fail fast with a {@link io.netty.handler.codec.TooLongFrameException}.
 * Emits retained slices of the cumulation, which the next handler must release.
 */
public class FrameDecoder extends LengthFieldBasedFrameDecoder {

    public FrameDecoder() {
        super(Wire.MAX_FRAME_LENGTH, Wire.LENGTH_FIELD_OFFSET, Wire.LENGTH_FIELD_LENGTH, 0, 0, true);
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        checkPrefix(in);
        return super.decode(ctx, in);
    }

    /** Validates the magic and version bytes that are already readable, without consuming them. */
    public static void checkPrefix(ByteBuf in) {
        int r = in.readerIndex();
        int n = in.readableBytes();
        if (n >= 1 && in.getUnsignedByte(r) != (Wire.MAGIC >>> 8)
                || n >= 2 && in.getUnsignedByte(r + 1) != (Wire.MAGIC & 0xFF)) {
            int seen = n >= 2 ? in.getUnsignedShort(r) : in.getUnsignedByte(r) << 8;
            throw new ProtocolException(ErrorCode.MALFORMED,
                    String.format("magic: 0x%04X (expected: 0x%04X)", seen, Wire.MAGIC));
        }
        if (n >= 3 && in.getByte(r + 2) != Wire.VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION,
                    "version: " + in.getUnsignedByte(r + 2) + " (expected: " + Wire.VERSION + ")");
        }
    }
}
