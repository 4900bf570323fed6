package io.fmi.tcpunch.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The protocol of the C++ TCPunch client, served so one deployed server serves C++ and Java
 * functions. The client sends its pairing name as raw bytes (no length, no terminator, one
 * {@code send}) and reads two 8-byte replies, each the C {@code struct {in_addr ip; in_port_t port;}}
 * with its 2 padding bytes, in network byte order:
 * <pre>
 *  0    1    2    3    4    5    6    7
 * +----+----+----+----+----+----+----+----+
 * |   IPv4 address    |  port   | 0  | 0  |
 * +----+----+----+----+----+----+----+----+
 * </pre>
 * first its own public endpoint (sent at once), then its peer's (sent when the peer arrives).
 * The name is whatever arrived in the first read, as the C++ server's single {@code recv} does.
 */
public final class LegacyCodec {
    /** Marks a channel that speaks the legacy protocol (it gets no ERROR frames, only a close). */
    public static final AttributeKey<Boolean> LEGACY = AttributeKey.valueOf("fmi.tcpunch.legacy");
    public static final int REPLY_LENGTH = 8;

    private LegacyCodec() {
    }

    /** The 8-byte reply for an IPv4 endpoint. */
    public static ByteBuf endpoint(ByteBufAllocator alloc, InetSocketAddress a) {
        if (!(a.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("endpoint: " + a + " (expected: IPv4, the only family TCPunch knows)");
        }
        return alloc.buffer(REPLY_LENGTH).writeBytes(a.getAddress().getAddress())
                .writeShort(a.getPort()).writeShort(0);
    }

    /** A legacy client's pairing name, as decoded by {@link Decoder}. */
    public record Name(String name) {
    }

    /**
     * Gathers the bytes of the first read into a {@link Name}. Bytes after that, an empty or
     * over-long name, or invalid UTF-8 close the connection.
     */
    public static final class Decoder extends ChannelInboundHandlerAdapter {
        private final int maxNameBytes;
        private ByteBuf name;
        private boolean done;

        public Decoder(int maxNameBytes) {
            this.maxNameBytes = maxNameBytes;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().attr(LEGACY).set(Boolean.TRUE);
            name = ctx.alloc().heapBuffer(Math.min(maxNameBytes, 128), maxNameBytes);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            release();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (done || name == null || in.readableBytes() > name.maxWritableBytes()) {
                    // TCPunch clients send their name once and then only listen
                    ctx.close();
                    return;
                }
                name.writeBytes(in);
            } finally {
                ReferenceCountUtil.release(in);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!done && name != null && name.isReadable()) {
                done = true;
                String s = name.toString(StandardCharsets.UTF_8);
                release();
                if (s.indexOf('\uFFFD') >= 0 || s.indexOf('\0') >= 0) {
                    ctx.close();
                    return;
                }
                ctx.fireChannelRead(new Name(s));
            }
            ctx.fireChannelReadComplete();
        }

        private void release() {
            if (name != null) {
                name.release();
                name = null;
            }
        }
    }
}
