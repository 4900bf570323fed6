package io.fmi.channel.direct;

import io.fmi.channel.Buf;
import io.fmi.channel.Mailbox;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;

/**
 * Decodes the frames of one connection and hands each message to its channel's receive matching,
 * on the connection's event loop. One instance per connection (not sharable).
 *
 * <pre>
 * +------------------+---------------------------+--------------------+
 * | length: int32 BE | tag: int64 BE             | payload            |
 * | payload bytes    | operation sequence number | (length bytes)     |
 * +------------------+---------------------------+--------------------+
 *  0                  4                           12
 * </pre>
 *
 * A tag {@code >= 0} is a message ({@code 0} point-to-point, {@code n >= 1} collective number n);
 * negative tags are control frames ({@link Frames#TAG_BYE}, {@link Frames#TAG_ABORT}).
 *
 * <h2>Why not {@code LengthFieldBasedFrameDecoder}</h2>
 * A frame that lies whole in one read buffer (every small message) is handed on as a view of that
 * buffer: the receive matching copies it straight into the posted receive buffer, no intermediate
 * copy and no allocation. A frame split across reads (every large message) is streamed straight
 * into the posted receive buffer when one is waiting ({@link Sink#claim}), read by read, so it is
 * copied once and the copy overlaps the transfer. Otherwise it is gathered into a staging array
 * kept per connection (grown to the largest message seen, never shrunk); a receive posted while
 * the frame is still arriving takes over from the staged part. A cumulating decoder would allocate
 * and re-copy its cumulation.
 *
 * <p>Every buffer read is released here: this handler is the last to touch it.
 */
final class FrameReader extends ChannelInboundHandlerAdapter {
    /** Where decoded frames and connection events go; called on the event loop. */
    interface Sink {
        /** A frame; {@code payload} is only valid during the call. */
        void onFrame(int src, long tag, ByteBuffer payload);

        void onProtocolError(int src, String what);

        /** The connection ended ({@code cause} null) or failed; may be called twice (failure, then end). */
        void onConnectionLost(int src, io.netty.channel.Channel ch, Throwable cause);

        /**
         * Claims the receive waiting for a message of exactly {@code length} bytes from {@code src}
         * with {@code tag}, for a frame whose payload is still arriving; null: none, stage it.
         */
        default Mailbox.Claim claim(int src, long tag, int length) {
            return null;
        }

        /** Why a receive claimed from {@code src} cannot complete: the connection ended mid-frame. */
        default Throwable claimFailure(int src) {
            return new io.fmi.PeerFailedException(src, "rank " + src + ": connection ended in the middle of a message");
        }
    }

    private final Sink channel;
    private final int peer;
    private final int maxMessageBytes;

    private final byte[] header = new byte[Frames.HEADER_BYTES];
    private int headerFill;
    private int bodyLength = -1;
    private long bodyTag;
    private byte[] staging = new byte[0];
    private int stagingFill;
    /** The posted receive the current frame's payload streams into, or null (staging). */
    private Mailbox.Claim claim;

    FrameReader(Sink channel, int peer, int maxMessageBytes) {
        this.channel = channel;
        this.peer = peer;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            while (in.isReadable()) {
                if (bodyLength < 0) {
                    if (headerFill == 0 && in.readableBytes() >= Frames.HEADER_BYTES) {
                        int len = in.readInt();
                        long tag = in.readLong();
                        if (!startBody(ctx, len, tag)) {
                            return;
                        }
                    } else {
                        int n = Math.min(Frames.HEADER_BYTES - headerFill, in.readableBytes());
                        in.readBytes(header, headerFill, n);
                        headerFill += n;
                        if (headerFill < Frames.HEADER_BYTES) {
                            return;
                        }
                        headerFill = 0;
                        ByteBuffer h = ByteBuffer.wrap(header);
                        if (!startBody(ctx, h.getInt(0), h.getLong(4))) {
                            return;
                        }
                    }
                    if (in.readableBytes() >= bodyLength) {
                        // Whole frame in this buffer: hand on a view, the matching copies it once.
                        int len = bodyLength;
                        bodyLength = -1;
                        channel.onFrame(peer, bodyTag, in.nioBuffer(in.readerIndex(), len));
                        in.skipBytes(len);
                        continue;
                    }
                    if (bodyTag >= 0) {
                        claim = channel.claim(peer, bodyTag, bodyLength);
                    }
                    if (claim == null && staging.length < bodyLength) {
                        staging = new byte[bodyLength];
                    }
                } else if (claim == null && bodyTag >= 0) {
                    // A receive posted while the frame arrives takes over from the staged part.
                    Mailbox.Claim c = channel.claim(peer, bodyTag, bodyLength);
                    if (c != null) {
                        Buf b = c.buffer();
                        System.arraycopy(staging, 0, b.array(), b.offset(), stagingFill);
                        claim = c;
                    }
                }
                int n = Math.min(bodyLength - stagingFill, in.readableBytes());
                if (claim != null) {
                    Buf b = claim.buffer();
                    in.readBytes(b.array(), b.offset() + stagingFill, n);
                } else {
                    in.readBytes(staging, stagingFill, n);
                }
                stagingFill += n;
                if (stagingFill == bodyLength) {
                    int len = bodyLength;
                    bodyLength = -1;
                    stagingFill = 0;
                    if (claim != null) {
                        Mailbox.Claim c = claim;
                        claim = null;
                        c.complete();
                    } else {
                        channel.onFrame(peer, bodyTag, ByteBuffer.wrap(staging, 0, len));
                    }
                }
            }
        } finally {
            in.release();
        }
    }

    private boolean startBody(ChannelHandlerContext ctx, int len, long tag) {
        if (len < 0 || len > maxMessageBytes) {
            channel.onProtocolError(peer, "frame of " + (len & 0xFFFFFFFFL) + " bytes with tag " + tag
                    + " (expected: 0.." + maxMessageBytes + " bytes, backends.Direct.max_message_bytes)");
            ctx.close();
            return false;
        }
        bodyLength = len;
        bodyTag = tag;
        stagingFill = 0;
        return true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        staging = null;
        channel.onConnectionLost(peer, ctx.channel(), null);
        failClaim();
        ctx.fireChannelInactive();
    }

    /** A receive that took part of a frame whose rest will never come fails, with the connection's error. */
    private void failClaim() {
        Mailbox.Claim c = claim;
        if (c != null) {
            claim = null;
            bodyLength = -1;
            c.fail(channel.claimFailure(peer));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        channel.onConnectionLost(peer, ctx.channel(), cause);
        failClaim();
        ctx.close();
    }
}
