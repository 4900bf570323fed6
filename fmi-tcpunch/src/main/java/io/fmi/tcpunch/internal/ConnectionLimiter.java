package io.fmi.tcpunch.internal;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First handler of every server connection: counts open connections and closes those beyond
 * {@link ServerConfig#maxConnections()} at once, before they cost anything else.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private final ServerCore core;

    ConnectionLimiter(ServerCore core) {
        this.core = core;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        core.totalConnections.increment();
        if (core.connections.incrementAndGet() > core.config.maxConnections()) {
            core.totalRejected.increment();
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        core.connections.decrementAndGet();
        ctx.fireChannelInactive();
    }
}
