package io.fmi.tcpunch.internal;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;

/**
 * First handler of every server connection: counts open connections, in total and per source
 * address, and closes at once those beyond {@link ServerConfig#maxConnectionsPerAddress()} or
 * {@link ServerConfig#maxConnections()}, before they cost anything else. The close carries no ERROR
 * frame: the protocol (framed or TCPunch) is not known yet, and a refused flood should cost nothing
 * more than the close. The refusal is logged by {@link ServerCore#refused}.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    /** The source this connection counts against; set once counted, so only counted ones are released. */
    private static final AttributeKey<InetAddress> SOURCE = AttributeKey.valueOf(ConnectionLimiter.class, "source");

    private final ServerCore core;

    ConnectionLimiter(ServerCore core) {
        this.core = core;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        core.totalConnections.increment();
        int open = core.connections.incrementAndGet(); // channelInactive takes it back, whatever happens here
        InetAddress source = SourceCounts.sourceOf(ServerCore.observed(ctx.channel()).getAddress());
        if (!core.connectionsBySource.tryAcquire(source, core.config.maxConnectionsPerAddress())) {
            refuse(ctx, ServerCore.Limit.CONNECTIONS_PER_ADDRESS, source);
            return;
        }
        ctx.channel().attr(SOURCE).set(source);
        if (open > core.config.maxConnections()) {
            refuse(ctx, ServerCore.Limit.CONNECTIONS, source);
            return;
        }
        ctx.fireChannelActive();
    }

    private void refuse(ChannelHandlerContext ctx, ServerCore.Limit limit, InetAddress source) {
        core.totalRejected.increment();
        core.refused(limit, source);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        core.connections.decrementAndGet();
        InetAddress source = ctx.channel().attr(SOURCE).getAndSet(null);
        if (source != null) {
            core.connectionsBySource.release(source);
        }
        ctx.fireChannelInactive();
    }
}
