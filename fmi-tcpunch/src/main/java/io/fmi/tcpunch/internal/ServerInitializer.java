package io.fmi.tcpunch.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Builds the pipeline of every server connection:
 * <pre>
 * ConnectionLimiter -&gt; Sniffer -&gt; ServerConnectionHandler
 *                         |  first byte 0xFE: replaced by FrameDecoder
 *                         \  anything else:   replaced by LegacyCodec.Decoder (if legacy clients are served)
 * </pre>
 */
public final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    private final ServerCore core;
    private final ConnectionLimiter limiter;

    public ServerInitializer(ServerCore core) {
        this.core = core;
        this.limiter = new ConnectionLimiter(core);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast("limiter", limiter)
                .addLast("sniffer", new Sniffer(core.config.legacyTcpunch(), core.config.maxNameBytes()))
                .addLast("handler", new ServerConnectionHandler(core));
    }

    /** Chooses the protocol from the first byte, then steps aside (its bytes go to its successor). */
    static final class Sniffer extends ByteToMessageDecoder {
        private final boolean legacy;
        private final int maxNameBytes;

        Sniffer(boolean legacy, int maxNameBytes) {
            this.legacy = legacy;
            this.maxNameBytes = maxNameBytes;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (!in.isReadable()) {
                return;
            }
            if (in.getUnsignedByte(in.readerIndex()) == Wire.MAGIC_FIRST_BYTE) {
                ctx.pipeline().addAfter(ctx.name(), "frames", new FrameDecoder());
            } else if (legacy) {
                ctx.pipeline().addAfter(ctx.name(), "legacy", new LegacyCodec.Decoder(maxNameBytes));
            } else {
                throw new ProtocolException(ErrorCode.MALFORMED, String.format(
                        "first byte: 0x%02X (expected: 0x%02X; TCPunch clients are not served here)",
                        in.getUnsignedByte(in.readerIndex()), Wire.MAGIC_FIRST_BYTE));
            }
            ctx.pipeline().remove(this);
        }
    }
}
