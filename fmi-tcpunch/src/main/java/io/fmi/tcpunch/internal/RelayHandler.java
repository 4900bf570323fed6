package io.fmi.tcpunch.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splices two server connections: bytes read on one are written to the other, unchanged, with
 * back-pressure (a side stops reading while the other cannot keep up). When either side closes, the
 * other is closed after its pending bytes are flushed.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RelayHandler.class);

    private final Channel peer;
    private final AtomicBoolean closed;
    private final AtomicInteger activeRelays;

    private RelayHandler(Channel peer, AtomicBoolean closed, AtomicInteger activeRelays) {
        this.peer = peer;
        this.closed = closed;
        this.activeRelays = activeRelays;
    }

    /**
     * Turns {@code a} and {@code b} into a relay and sends both RELAY_READY. Each side is set up on
     * its own event loop with reading paused; reading resumes on both only once both RELAY_READY
     * frames are written, so no peer byte can overtake the other side's RELAY_READY whatever the
     * two loops' timing.
     */
    static void splice(Channel a, Channel b, AtomicInteger activeRelays) {
        AtomicBoolean closed = new AtomicBoolean();
        AtomicInteger installed = new AtomicInteger();
        a.eventLoop().execute(() -> install(a, b, closed, activeRelays, installed));
        b.eventLoop().execute(() -> install(b, a, closed, activeRelays, installed));
    }

    private static void install(Channel ch, Channel peer, AtomicBoolean closed, AtomicInteger activeRelays,
                                AtomicInteger installed) {
        ch.config().setAutoRead(false);
        ChannelPipeline p = ch.pipeline();
        RelayHandler relay = new RelayHandler(peer, closed, activeRelays);
        p.addLast("relay", relay);
        // everything between the connection limiter and the relay goes; a FrameDecoder hands any
        // bytes it still holds to the relay handler when it is removed
        for (String name : p.names()) {
            ChannelHandler h = p.get(name);
            if (h != null && !(h instanceof RelayHandler) && !(h instanceof ConnectionLimiter)) {
                p.remove(h);
            }
        }
        ch.writeAndFlush(MessageCodec.encode(ch.alloc(), new Message.RelayReady(), null));
        if (installed.incrementAndGet() == 2) {
            ch.config().setAutoRead(true);
            peer.config().setAutoRead(true);
        }
        if (!ch.isActive()) {
            // closed before the splice: its channelInactive has passed already
            relay.closed(ch);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        peer.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed(ctx.channel());
        ctx.fireChannelInactive();
    }

    private void closed(Channel ch) {
        if (closed.compareAndSet(false, true)) {
            activeRelays.decrementAndGet();
            log.debug("relay closed by {}", ch.remoteAddress());
        }
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("relay connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
