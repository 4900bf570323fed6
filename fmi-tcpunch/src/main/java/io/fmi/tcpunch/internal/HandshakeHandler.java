package io.fmi.tcpunch.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.fmi.tcpunch.PunchPath;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handshake that opens every punched or relayed connection, proving both ends are the two peers
 * the server paired for this name (and hold the shared secret when there is one):
 * <pre>
 *  leader (smaller id)                         follower
 *   [RELAY  --------------------------------&gt; server, relay path only; server answers RELAY_READY]
 *   HELLO(name, from, to, nonceL) ---------&gt;
 *                               &lt;--------- HELLO(name, from, to, nonceF)
 *   PROOF(mac(L -&gt; F)) ---------------------&gt;
 *                               &lt;--------- PROOF(mac(F -&gt; L))
 *   SELECT -------------------------------&gt;      (only on the one connection the leader keeps)
 *   application bytes ...                  application bytes ...
 *
 *   K          = HMAC-SHA256(key = pairing token, data = shared secret, or nothing)
 *   mac(X -&gt; Y) = HMAC-SHA256(K, "fmi-punch-proof-v1" | name | X | Y | nonce of Y | nonce of X)
 * </pre>
 * Each side challenges the other with its own fresh nonce, so a proof cannot be replayed, and the
 * proof names its direction, so it cannot be reflected. Several candidate connections may finish the
 * handshake; the leader keeps the first and says so with SELECT. When done this handler removes itself
 * and hands over the bytes read past the handshake ({@link PunchAttempt#complete}). It runs on the
 * attempt's event loop, like every candidate of one attempt.
 */
final class HandshakeHandler extends FrameDecoder {
    private static final Logger log = LoggerFactory.getLogger(HandshakeHandler.class);
    private static final byte[] PROOF_LABEL = Wire.utf8("fmi-punch-proof-v1");

    private enum State { RELAY_REQUESTED, HELLO_SENT, VERIFIED, DONE }

    private final PunchAttempt attempt;
    private final PunchPath path;
    private final byte[] nonce;
    private State state;
    private byte[] peerNonce;
    private boolean gotHello;
    /** The handshake's last write so far: a socket handed over must not leave it unwritten. */
    private ChannelFuture lastWrite;

    HandshakeHandler(PunchAttempt attempt, PunchPath path) {
        this.attempt = attempt;
        this.path = path;
        this.nonce = attempt.settings.nonce();
    }

    PunchPath path() {
        return path;
    }

    /** The future of the last frame this handler wrote (the leader's SELECT, the follower's PROOF). */
    ChannelFuture lastWrite() {
        return lastWrite;
    }

    private void write(ChannelHandlerContext ctx, Message m, Hmac mac) {
        lastWrite = ctx.writeAndFlush(MessageCodec.encode(ctx.alloc(), m, mac));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (path == PunchPath.RELAY) {
            state = State.RELAY_REQUESTED;
            write(ctx, new Message.Relay(attempt.settings.auth(), attempt.token(), attempt.selfId), attempt.settings.secret());
        } else {
            sendHello(ctx);
        }
        super.channelActive(ctx);
    }

    private void sendHello(ChannelHandlerContext ctx) {
        state = State.HELLO_SENT;
        write(ctx, new Message.Hello(attempt.name, attempt.selfId, attempt.peerId, nonce), null);
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (state == State.DONE) {
            return null;
        }
        ByteBuf frame = (ByteBuf) super.decode(ctx, in);
        if (frame == null) {
            return null;
        }
        try {
            onMessage(ctx, MessageCodec.decode(frame));
        } finally {
            frame.release();
        }
        if (state == State.DONE) {
            // the bytes behind the handshake belong to the application
            ByteBuf rest = in.isReadable() ? in.readRetainedSlice(in.readableBytes()) : null;
            attempt.complete(ctx.channel(), this, rest);
        }
        // frames are consumed here, never passed on
        return null;
    }

    private void onMessage(ChannelHandlerContext ctx, Message m) {
        if (m instanceof Message.Error) {
            Message.Error e = (Message.Error) m;
            attempt.serverError(ctx.channel(), e);
            ctx.close();
        } else if (m instanceof Message.RelayReady && state == State.RELAY_REQUESTED) {
            log.debug("{} relay ready", attempt);
            sendHello(ctx);
        } else if (m instanceof Message.Hello && state == State.HELLO_SENT && !gotHello) {
            Message.Hello h = (Message.Hello) m;
            if (!h.name().equals(attempt.name) || !h.from().equals(attempt.peerId) || !h.to().equals(attempt.selfId)) {
                throw new ProtocolException(ErrorCode.AUTH_FAILED, "hello from '" + h.from() + "' to '" + h.to()
                        + "' for '" + h.name() + "' (expected: from '" + attempt.peerId + "' to '" + attempt.selfId
                        + "' for '" + attempt.name + "')");
            }
            gotHello = true;
            peerNonce = h.nonce();
            write(ctx, new Message.Proof(proof(attempt.selfId, attempt.peerId, peerNonce, nonce)), null);
        } else if (m instanceof Message.Proof && state == State.HELLO_SENT && gotHello) {
            byte[] expected = proof(attempt.peerId, attempt.selfId, nonce, peerNonce);
            if (!MessageDigest.isEqual(expected, ((Message.Proof) m).mac())) {
                throw new ProtocolException(ErrorCode.AUTH_FAILED, "peer's proof does not match (expected: a proof "
                        + "made with this pairing's token" + (attempt.settings.secret() != null ? " and the shared secret)" : ")"));
            }
            state = State.VERIFIED;
            log.debug("{} verified peer on {} {}", attempt, path, ctx.channel().remoteAddress());
            if (attempt.leader && attempt.select(ctx.channel())) {
                write(ctx, new Message.Select(), null);
                state = State.DONE;
            }
        } else if (m instanceof Message.Select && state == State.VERIFIED && !attempt.leader) {
            state = State.DONE;
        } else {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME,
                    m.getClass().getSimpleName().toUpperCase() + " in handshake state " + state);
        }
    }

    /** mac(from -&gt; to) over both nonces, the challenger's ({@code toNonce}) first. */
    private byte[] proof(String from, String to, byte[] toNonce, byte[] fromNonce) {
        return attempt.sessionKey().compute(PROOF_LABEL, lp(attempt.name), lp(from), lp(to), toNonce, fromNonce);
    }

    private static byte[] lp(String s) {
        byte[] b = Wire.utf8(s);
        byte[] r = new byte[b.length + 1];
        r[0] = (byte) b.length;
        System.arraycopy(b, 0, r, 1, b.length);
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        attempt.candidateFailed(ctx.channel(), path, cause);
        ctx.close();
    }
}
