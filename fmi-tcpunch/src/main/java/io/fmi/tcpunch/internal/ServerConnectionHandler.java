package io.fmi.tcpunch.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one client connection. Reads whole frames from {@link FrameDecoder} (or a
 * {@link LegacyCodec.Name}) and walks a small state machine:
 * <pre>
 * NEW --REGISTER--&gt; WAITING --(peer arrives)--&gt; PAIRED --(client closes or pairing TTL)--&gt; closed
 *  |  \--PROBE (at most {@value #MAX_PROBES}), stays NEW
 *  \----RELAY----&gt; RELAY_WAITING --(other peer arrives)--&gt; spliced by {@link RelayHandler}
 * </pre>
 * A connection that sends no request within the request timeout, sends a frame its state does not
 * expect, or breaks the protocol gets an ERROR frame and is closed. Nothing here blocks.
 */
final class ServerConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ServerConnectionHandler.class);
    static final int MAX_PROBES = 4;

    private enum State { NEW, WAITING, RELAY_WAITING, CLOSED }

    private final ServerCore core;
    private State state = State.NEW;
    private int probes;
    private Registration registration;
    private byte[] relayToken;
    private ScheduledFuture<?> timer;

    ServerConnectionHandler(ServerCore core) {
        this.core = core;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        timer = ch.eventLoop().schedule(() -> {
            if (state == State.NEW && ch.isActive()) {
                core.reject(ch, ErrorCode.TOO_SLOW, "no request within " + core.config.requestTimeout());
            }
        }, core.config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ServerCore.cancel(timer);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof LegacyCodec.Name) {
                onLegacy(ctx, ((LegacyCodec.Name) msg).name());
            } else if (msg instanceof ByteBuf) {
                onFrame(ctx, (ByteBuf) msg);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onFrame(ChannelHandlerContext ctx, ByteBuf frame) {
        if (state == State.CLOSED) {
            return;
        }
        Message m = MessageCodec.decode(frame);
        if (log.isTraceEnabled()) {
            log.trace("{} <- {}", ctx.channel().remoteAddress(), m.getClass().getSimpleName());
        }
        if (state != State.NEW || !(m instanceof Message.Request)) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, m.getClass().getSimpleName().toUpperCase()
                    + " in state " + state + " (expected: " + (state == State.NEW ? "REGISTER, PROBE or RELAY" : "nothing") + ")");
        }
        authenticate(frame, ((Message.Request) m).auth());
        Channel ch = ctx.channel();
        if (m instanceof Message.Probe) {
            if (++probes > MAX_PROBES) {
                throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME,
                        "probes: " + probes + " (expected: <= " + MAX_PROBES + " per connection)");
            }
            core.totalProbes.increment();
            ctx.writeAndFlush(MessageCodec.encode(ctx.alloc(), new Message.Observed(ServerCore.observed(ch), core.probePort()), null));
        } else if (m instanceof Message.Register) {
            onRegister(ctx, (Message.Register) m);
        } else {
            Message.Relay r = (Message.Relay) m;
            checkLength(r.selfId(), core.config.maxIdBytes(), "self id");
            state = State.RELAY_WAITING;
            relayToken = r.token();
            rescheduleTimer(ch, () -> core.reject(ch, ErrorCode.EXPIRED,
                    "relay peer did not arrive within " + core.config.registrationTtl()), core.config.registrationTtl().toMillis());
            if (!core.relay(ch, r.token(), r.selfId())) {
                state = State.CLOSED;
            }
        }
    }

    private void onRegister(ChannelHandlerContext ctx, Message.Register r) {
        checkLength(r.name(), core.config.maxNameBytes(), "name");
        checkLength(r.selfId(), core.config.maxIdBytes(), "self id");
        checkLength(r.peerId(), core.config.maxIdBytes(), "peer id");
        if (r.selfId().equals(r.peerId())) {
            throw new ProtocolException(ErrorCode.MALFORMED, "peer id: '" + r.peerId() + "' (expected: not the self id)");
        }
        Channel ch = ctx.channel();
        InetSocketAddress observed = ServerCore.observed(ch);
        register(ctx, new Registration(ch, r.name(), r.selfId(), r.peerId(), r.natFlags(), observed,
                r.privateEndpoints(), false));
    }

    private void onLegacy(ChannelHandlerContext ctx, String name) {
        Channel ch = ctx.channel();
        InetSocketAddress observed = ServerCore.observed(ch);
        if (state != State.NEW || !(observed.getAddress() instanceof Inet4Address)
                || Wire.utf8(name).length > core.config.maxNameBytes()) {
            log.debug("closing TCPunch client {}: name of {} chars, state {}", observed, name.length(), state);
            ctx.close();
            return;
        }
        register(ctx, new Registration(ch, name, "", "", 0, observed, java.util.List.of(), true));
    }

    private void register(ChannelHandlerContext ctx, Registration reg) {
        Channel ch = ctx.channel();
        state = State.WAITING;
        registration = reg;
        // the first reply is queued before the registration becomes visible, so it precedes any PEER
        if (reg.legacy) {
            ctx.writeAndFlush(LegacyCodec.endpoint(ctx.alloc(), reg.observed));
        } else {
            ctx.writeAndFlush(MessageCodec.encode(ctx.alloc(),
                    new Message.Registered(reg.observed, (int) core.config.registrationTtl().toMillis()), null));
        }
        ServerCore.cancel(timer);
        reg.expiry = ch.eventLoop().schedule(() -> core.expire(reg),
                core.config.registrationTtl().toMillis(), TimeUnit.MILLISECONDS);
        if (core.register(reg) == ServerCore.Outcome.REJECTED) {
            ServerCore.cancel(reg.expiry);
            state = State.CLOSED;
        }
    }

    private void authenticate(ByteBuf frame, Message.Auth auth) {
        Hmac secret = core.config.secret();
        if (secret == null) {
            return;
        }
        if (!auth.hasMac()) {
            throw new ProtocolException(ErrorCode.AUTH_FAILED, "request without MAC (expected: signed with the shared secret)");
        }
        if (!secret.verifyTrailer(frame)) {
            throw new ProtocolException(ErrorCode.AUTH_FAILED, "request MAC does not match (expected: signed with the server's shared secret)");
        }
        switch (core.replayGuard.check(auth.timestampMillis(), auth.nonce())) {
            case OK:
                return;
            case STALE:
                throw new ProtocolException(ErrorCode.REPLAYED, "request timestamp " + auth.timestampMillis()
                        + " is " + (System.currentTimeMillis() - auth.timestampMillis()) + " ms off the server clock (expected: within "
                        + core.config.replayWindow().toMillis() + " ms)");
            case REPLAYED:
                throw new ProtocolException(ErrorCode.REPLAYED, "request nonce already used (expected: a fresh nonce)");
            default:
                throw new ProtocolException(ErrorCode.SERVER_FULL, "too many signed requests in the replay window; retry later");
        }
    }

    private static void checkLength(String s, int max, String what) {
        int n = Wire.utf8(s).length;
        if (n > max) {
            throw new ProtocolException(ErrorCode.MALFORMED, what + " length: " + n + " bytes (expected: <= " + max + ")");
        }
    }

    private void rescheduleTimer(Channel ch, Runnable task, long millis) {
        ServerCore.cancel(timer);
        timer = ch.eventLoop().schedule(task, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ServerCore.cancel(timer);
        if (registration != null) {
            ServerCore.cancel(registration.expiry);
            core.removeWaiting(registration);
        }
        if (relayToken != null && state == State.RELAY_WAITING) {
            core.leaveRelay(ctx.channel(), relayToken);
        }
        state = State.CLOSED;
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Channel ch = ctx.channel();
        if (cause instanceof ProtocolException) {
            ProtocolException p = (ProtocolException) cause;
            core.reject(ch, p.code(), p.getMessage());
        } else if (cause instanceof TooLongFrameException) {
            core.reject(ch, ErrorCode.MALFORMED, "frame too long: " + cause.getMessage()
                    + " (expected: <= " + Wire.MAX_FRAME_LENGTH + " bytes)");
        } else if (cause instanceof IOException) {
            log.debug("connection {} failed: {}", ch.remoteAddress(), cause.toString());
            ch.close();
        } else {
            log.warn("closing {} after an unexpected error", ch.remoteAddress(), cause);
            core.reject(ch, ErrorCode.INTERNAL, "internal error: " + cause.getClass().getSimpleName());
        }
        state = State.CLOSED;
    }
}
