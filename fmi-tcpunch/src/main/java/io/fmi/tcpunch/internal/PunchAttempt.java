package io.fmi.tcpunch.internal;

import io.fmi.tcpunch.PunchException;
import io.fmi.tcpunch.PunchException.Reason;
import io.fmi.tcpunch.PunchPath;
import io.fmi.tcpunch.PunchedConnection;
import io.fmi.tcpunch.PunchedSocket;
import io.fmi.tcpunch.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code connect} or {@code connectSocket} call: register, punch, fall back to the relay, hand
 * over the winning connection. Every channel of an attempt is registered on the attempt's one event
 * loop, so its state needs no locks; nothing is touched from another thread except through
 * {@link EventLoop#execute}.
 *
 * <pre>
 * rendezvous port P --connect--&gt; server      PROBE        -&gt; OBSERVED(public P', probe port)
 *            port P --connect--&gt; probe port  PROBE        -&gt; OBSERVED(public P'')   P' != P'': symmetric NAT
 *                                            REGISTER     -&gt; REGISTERED, later PEER(token, peer addresses)
 * port P --connect--&gt; peer public, peer private addresses (all at once, retried until the direct deadline)
 * [port P listens too when both peers share a public IP or this host has no NAT: there SYNs meet RSTs]
 * direct deadline passed, or symmetric NAT: new connection --RELAY--&gt; server, spliced to the peer
 * first connection whose handshake the leader completes wins; all others are closed
 * </pre>
 *
 * <h2>Handing over</h2>
 * For {@code connect}, the winning channel gets the caller's handlers and stays on its event loop.
 * For {@code connectSocket}, every channel of the attempt wraps a {@code java.nio} socket the client
 * opened itself ({@link OwnedChannels}), so the event loop must be an NIO one. The winner stops
 * reading, waits for the handshake's last write, leaves its event loop ({@code deregister}) and,
 * once its selector has dropped the cancelled key, is handed over as a plain socket with the bytes
 * read past the handshake ({@link PunchedSocket}).
 */
final class PunchAttempt {
    private static final Logger log = LoggerFactory.getLogger(PunchAttempt.class);
    private static final long RETRY_DELAY_MS = 20;
    /** First back-off after server trouble; doubles per retry up to {@link #MAX_SERVER_RETRY_DELAY_MS}. */
    private static final long SERVER_RETRY_DELAY_MS = 100;
    private static final long MAX_SERVER_RETRY_DELAY_MS = 1000;
    /**
     * How often a handed-over socket is checked, a millisecond apart, for its selector to have
     * dropped its cancelled key (normally at the first check: the loop selects right after the
     * deregistration); after that it is handed over anyway, still usable with a selector of the
     * caller's own.
     */
    private static final int MAX_UNREGISTER_CHECKS = 1000;

    /** {@code HANDOVER}: the winner is leaving its event loop as a plain socket. */
    private enum Stage { CONNECTING, PROBING, REGISTERING, WAITING_FOR_PEER, PUNCHING, HANDOVER, DONE }

    final ClientSettings settings;
    final String name;
    final String selfId;
    /** The peer's id: as given, or learnt from the PEER frame when given {@link Wire#ANY_PEER}. */
    String peerId;
    boolean leader;
    private final EventLoop loop;
    private final Duration timeout;
    private final long startNanos;
    private final long deadlineNanos;
    /** The caller's pipeline initializer for {@code connect}; null for {@code connectSocket}. */
    private final Consumer<Channel> initializer;
    /** Exactly one of the two result futures is set, the one {@link #future} is. */
    private final CompletableFuture<PunchedConnection> channelResult;
    private final CompletableFuture<PunchedSocket> socketResult;
    final CompletableFuture<?> future;
    private final Runnable onDone;

    private Stage stage = Stage.CONNECTING;
    private Channel rendezvous;
    private Channel probe;
    private Channel listener;
    private Channel relay;
    private Channel selected;
    private final Set<Channel> candidates = new LinkedHashSet<>();
    private InetSocketAddress localBind;
    private InetSocketAddress observedMain;
    private boolean symmetric;
    private Message.Peer peer;
    private Hmac sessionKey;
    private long directDeadlineNanos;
    private ScheduledFuture<?> deadlineTimer;
    private ScheduledFuture<?> stageTimer;
    private String lastProblem;
    /** When the current run of server trouble began ({@link System#nanoTime()}); valid while {@link #serverRetries} > 0. */
    private long troubleSinceNanos;
    /** Retries of the server in the current run of trouble. */
    private int serverRetries;
    /** When the server last acknowledged the registration (0: not since the last trouble). */
    private long registeredNanos;

    /** {@code initializer} null: the connection is handed over as a socket ({@link #socketResult}). */
    PunchAttempt(ClientSettings settings, String name, String selfId, String peerId, Duration timeout,
                 Consumer<Channel> initializer, Runnable onDone) {
        this.settings = settings;
        this.name = name;
        this.selfId = selfId;
        this.peerId = peerId;
        this.leader = selfId.compareTo(peerId) < 0;
        this.timeout = timeout;
        this.initializer = initializer;
        this.onDone = onDone;
        this.loop = settings.group().next();
        this.startNanos = System.nanoTime();
        this.deadlineNanos = startNanos + timeout.toNanos();
        this.channelResult = initializer != null ? new CompletableFuture<>() : null;
        this.socketResult = initializer == null ? new CompletableFuture<>() : null;
        this.future = initializer != null ? channelResult : socketResult;
    }

    CompletableFuture<PunchedConnection> startForChannel() {
        start();
        return channelResult;
    }

    CompletableFuture<PunchedSocket> startForSocket() {
        start();
        return socketResult;
    }

    private void start() {
        future.whenComplete((c, e) -> {
            if (future.isCancelled()) {
                loop.execute(() -> finishFailed(null));
            }
        });
        loop.execute(() -> {
            deadlineTimer = loop.schedule(this::deadlinePassed, timeout.toNanos(), TimeUnit.NANOSECONDS);
            connectRendezvous();
        });
    }

    /** Whether the winner leaves as a plain socket, so every channel must wrap a socket of our own. */
    private boolean handsOverSocket() {
        return initializer == null;
    }

    byte[] token() {
        return peer.token();
    }

    Hmac sessionKey() {
        return sessionKey;
    }

    @Override
    public String toString() {
        return "[pair=" + name + " self=" + selfId + " peer=" + peerId + "]";
    }

    // ------------------------------------------------------------ rendezvous

    private Bootstrap bootstrap(boolean shareLocalPort) {
        Bootstrap b = new Bootstrap().group(loop).option(ChannelOption.TCP_NODELAY, true);
        if (handsOverSocket()) {
            b.channelFactory(OwnedChannels::socket);
        } else {
            b.channel(Transports.socketChannelClass(settings.group()));
        }
        if (shareLocalPort) {
            Transports.reusePort(b, settings.group());
        }
        return b;
    }

    private void connectRendezvous() {
        if (stage == Stage.DONE) {
            return;
        }
        InetSocketAddress server = settings.server();
        InetAddress any = server.getAddress() instanceof Inet6Address ? anyV6() : anyV4();
        ChannelFuture f = bootstrap(true).handler(serverPipeline(true))
                .connect(server, new InetSocketAddress(any, 0));
        rendezvous = f.channel();
        f.addListener(done -> {
            if (stage == Stage.DONE) {
                f.channel().close();
            } else if (!done.isSuccess()) {
                serverTrouble(Reason.SERVER_UNREACHABLE, "server " + server + " unreachable: " + done.cause().getMessage(),
                        done.cause());
            } else {
                localBind = new InetSocketAddress(any, ((InetSocketAddress) f.channel().localAddress()).getPort());
                stage = Stage.PROBING;
                send(f.channel(), new Message.Probe(settings.auth()));
            }
        });
    }

    private ChannelInitializer<Channel> serverPipeline(boolean main) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new FrameDecoder(), new ServerReplyHandler(main));
            }
        };
    }

    private void send(Channel ch, Message m) {
        ch.writeAndFlush(MessageCodec.encode(ch.alloc(), m, settings.secret()));
    }

    /** Replies of the server on the rendezvous connection ({@code main}) or the mapping probe. */
    private final class ServerReplyHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private final boolean main;

        ServerReplyHandler(boolean main) {
            this.main = main;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            Message m = MessageCodec.decode(frame);
            if (ctx.channel() != (main ? rendezvous : probe)) {
                return; // a connection given up on for a retry
            }
            if (m instanceof Message.Error) {
                serverError(ctx.channel(), (Message.Error) m);
            } else if (!main) {
                if (m instanceof Message.Observed) {
                    probed(((Message.Observed) m).observed());
                }
            } else if (m instanceof Message.Observed && stage == Stage.PROBING) {
                observed((Message.Observed) m);
            } else if (m instanceof Message.Registered && stage == Stage.REGISTERING) {
                stage = Stage.WAITING_FOR_PEER;
                registeredNanos = System.nanoTime();
                log.debug("{} registered as {}, waiting for the peer", PunchAttempt.this, ((Message.Registered) m).observed());
            } else if (m instanceof Message.Peer && stage == Stage.WAITING_FOR_PEER) {
                punch((Message.Peer) m);
            } else {
                throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME,
                        m.getClass().getSimpleName().toUpperCase() + " from the server in stage " + stage);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (main && ctx.channel() == rendezvous && stage.compareTo(Stage.PUNCHING) < 0) {
                // A restart, or a per-address limit that closes connections at once: try again.
                serverTrouble(Reason.SERVER_UNREACHABLE, "server closed the connection in stage " + stage, null);
            } else if (!main && ctx.channel() == probe && stage == Stage.PROBING) {
                probed(null);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (main && ctx.channel() == rendezvous && cause instanceof IOException) {
                serverTrouble(Reason.SERVER_UNREACHABLE, "rendezvous connection failed: " + cause.getMessage(), cause);
            } else if (main && ctx.channel() == rendezvous) {
                fail(Reason.SERVER_UNREACHABLE, "rendezvous connection failed: " + cause.getMessage(), cause);
            } else {
                ctx.close();
            }
        }
    }

    private void observed(Message.Observed o) {
        observedMain = o.observed();
        if (!settings.mappingProbe() || o.probePort() == 0) {
            register();
            return;
        }
        InetSocketAddress probeAddr = new InetSocketAddress(settings.server().getAddress(), o.probePort());
        ChannelFuture f = bootstrap(true).handler(serverPipeline(false)).connect(probeAddr, localBind);
        probe = f.channel();
        f.addListener(done -> {
            if (f.channel() != probe) {
                return; // given up on for a retry
            }
            if (done.isSuccess() && stage == Stage.PROBING) {
                send(f.channel(), new Message.Probe(settings.auth()));
            } else if (stage == Stage.PROBING) {
                probed(null);
            }
        });
        stageTimer = loop.schedule(() -> probed(null), Math.min(settings.probeTimeout().toNanos(), remainingNanos()),
                TimeUnit.NANOSECONDS);
    }

    /** The probe port's view of this host's public endpoint; null if the probe failed. */
    private void probed(InetSocketAddress viaProbe) {
        if (stage != Stage.PROBING) {
            return;
        }
        cancel(stageTimer);
        if (viaProbe != null) {
            symmetric = !viaProbe.equals(observedMain);
            log.debug("{} public endpoint {} / {} via probe port: {}", this, observedMain, viaProbe,
                    symmetric ? "symmetric NAT" : "endpoint-independent mapping");
        } else {
            log.debug("{} mapping probe failed; assuming no symmetric NAT", this);
        }
        if (probe != null) {
            probe.close();
        }
        register();
    }

    private void register() {
        stage = Stage.REGISTERING;
        List<InetSocketAddress> privates = new ArrayList<>();
        for (InetAddress a : settings.privateAddresses()) {
            if (sameFamily(a, settings.server().getAddress()) && privates.size() < Wire.MAX_PRIVATE_ENDPOINTS) {
                privates.add(new InetSocketAddress(a, localBind.getPort()));
            }
        }
        send(rendezvous, new Message.Register(settings.auth(), name, selfId, peerId,
                symmetric ? Wire.NAT_SYMMETRIC : 0, privates));
    }

    // ------------------------------------------------------------ punching

    private void punch(Message.Peer p) {
        peer = p;
        if (peerId.equals(Wire.ANY_PEER)) {
            peerId = p.peerId();
            leader = selfId.compareTo(peerId) < 0;
        }
        stage = Stage.PUNCHING;
        Hmac tokenKey = new Hmac(p.token());
        sessionKey = new Hmac(tokenKey.compute(settings.rawSecret() == null ? new byte[0] : settings.rawSecret()));
        InetSocketAddress theirPublic = p.publicEndpoint();
        boolean sameNat = theirPublic.getAddress().equals(observedMain.getAddress());
        boolean eitherSymmetric = symmetric || p.symmetricNat();
        log.debug("{} peer at {} private {}{}{}", this, theirPublic, p.privateEndpoints(),
                sameNat ? ", same public IP" : "", eitherSymmetric ? ", symmetric NAT" : "");

        List<InetSocketAddress> privateTargets = new ArrayList<>();
        for (InetSocketAddress a : p.privateEndpoints()) {
            if (sameFamily(a.getAddress(), settings.server().getAddress()) && !a.equals(theirPublic)) {
                privateTargets.add(a);
            }
        }
        boolean tryPublic = settings.direct() && !eitherSymmetric;
        boolean tryPrivate = settings.direct() && !privateTargets.isEmpty() && (sameNat || !eitherSymmetric);
        long directNanos = !tryPublic && !tryPrivate ? 0
                : Math.min(settings.directTimeout().toNanos(), settings.relay() ? remainingNanos() / 2 : remainingNanos());
        directDeadlineNanos = System.nanoTime() + directNanos;

        if (tryPublic || tryPrivate) {
            if (sameNat || isLocal(observedMain.getAddress())) {
                listen();
            }
            if (tryPublic) {
                connectCandidate(theirPublic, PunchPath.DIRECT_PUBLIC);
            }
            if (tryPrivate) {
                for (InetSocketAddress a : privateTargets) {
                    connectCandidate(a, PunchPath.DIRECT_PRIVATE);
                }
            }
        }
        if (settings.relay()) {
            stageTimer = loop.schedule(this::startRelay, directNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void connectCandidate(InetSocketAddress target, PunchPath path) {
        long left = directDeadlineNanos - System.nanoTime();
        if (stage != Stage.PUNCHING || left <= 0) {
            return;
        }
        ChannelFuture f = bootstrap(true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)))
                .handler(handshakePipeline(path))
                .connect(target, localBind);
        candidates.add(f.channel());
        f.addListener(done -> {
            if (!done.isSuccess()) {
                candidates.remove(f.channel());
                if (log.isTraceEnabled()) {
                    log.trace("{} connect to {} failed: {}", this, target, done.cause().toString());
                }
                loop.schedule(() -> connectCandidate(target, path), RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
            }
        });
    }

    private ChannelInitializer<Channel> handshakePipeline(PunchPath path) {
        PunchAttempt self = this;
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HandshakeHandler(self, path));
            }
        };
    }

    /** Accepts the peer's SYNs on the shared port; only where no NAT sits between the peers. */
    private void listen() {
        ServerBootstrap sb = new ServerBootstrap().group(loop)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        InetSocketAddress from = (InetSocketAddress) ch.remoteAddress();
                        PunchPath path = from.equals(peer.publicEndpoint()) ? PunchPath.DIRECT_PUBLIC : PunchPath.DIRECT_PRIVATE;
                        if (stage != Stage.PUNCHING) {
                            ch.close();
                            return;
                        }
                        candidates.add(ch);
                        ch.pipeline().addLast(new HandshakeHandler(PunchAttempt.this, path));
                    }
                });
        if (handsOverSocket()) {
            sb.channelFactory(OwnedChannels::server);
        } else {
            sb.channel(Transports.serverSocketChannelClass(settings.group()));
        }
        Transports.reusePort(sb, settings.group());
        ChannelFuture f = sb.bind(localBind);
        listener = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                log.debug("{} cannot listen on {}: {}", this, localBind, done.cause().toString());
            } else if (stage != Stage.PUNCHING) {
                f.channel().close();
            }
        });
    }

    private void startRelay() {
        if (stage != Stage.PUNCHING || relay != null) {
            return;
        }
        log.debug("{} no direct path within the direct deadline; asking the server to relay", this);
        ChannelFuture f = bootstrap(false).handler(handshakePipeline(PunchPath.RELAY)).connect(settings.server());
        relay = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                lastProblem = "relay connection to " + settings.server() + " failed: " + done.cause().getMessage();
            }
        });
    }

    // ------------------------------------------------------------ outcome

    /** The leader asks whether {@code ch} may be the one; true for the first caller only. */
    boolean select(Channel ch) {
        if (stage != Stage.PUNCHING || selected != null) {
            return false;
        }
        selected = ch;
        return true;
    }

    /** The handshake on {@code ch} finished; {@code rest} are bytes read past it (or null). */
    void complete(Channel ch, HandshakeHandler handler, ByteBuf rest) {
        if (stage != Stage.PUNCHING) {
            ReferenceCountUtil.release(rest);
            ch.close();
            return;
        }
        selected = ch;
        closeAllBut(ch);
        PunchPath path = handler.path();
        if (handsOverSocket()) {
            handOver((OwnedChannels.OwnedSocketChannel) ch, handler, rest);
            return;
        }
        stage = Stage.DONE;
        ch.pipeline().remove(handler);
        try {
            ch.config().setOption(ChannelOption.TCP_NODELAY, true);
            initializer.accept(ch);
        } catch (Throwable t) {
            ReferenceCountUtil.release(rest);
            ch.close();
            completeExceptionally(new PunchException(Reason.CLOSED, describe("the pipeline initializer failed: " + t), t));
            onDone.run();
            return;
        }
        if (rest != null) {
            ch.pipeline().fireChannelRead(rest);
            ch.pipeline().fireChannelReadComplete();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        log.debug("{} connected {} via {} in {} ms", this, ch.remoteAddress(), path, elapsed.toMillis());
        PunchedConnection c = new PunchedConnection(ch, path, elapsed);
        settings.callbackExecutor().execute(() -> {
            if (!channelResult.complete(c)) {
                ch.close();
            }
        });
        onDone.run();
    }

    /**
     * Takes the winner off its event loop: no more reads, the bytes read past the handshake kept,
     * the handshake's last write finished, then {@code deregister}. Bytes Netty still passes on
     * (a decoder's leftovers when it is removed) are kept too, in order.
     */
    private void handOver(OwnedChannels.OwnedSocketChannel ch, HandshakeHandler handler, ByteBuf rest) {
        stage = Stage.HANDOVER;
        ch.config().setAutoRead(false);
        ReadAhead readAhead = new ReadAhead();
        readAhead.add(rest);
        ch.pipeline().addLast(readAhead);
        ch.pipeline().remove(handler);
        PunchPath path = handler.path();
        ChannelFuture written = handler.lastWrite() != null ? handler.lastWrite() : ch.newSucceededFuture();
        written.addListener(w -> ch.deregister().addListener(d -> release(ch, readAhead, path, 0)));
    }

    /** Hands the socket to the caller once no selector of the client holds it any more. */
    private void release(OwnedChannels.OwnedSocketChannel ch, ReadAhead readAhead, PunchPath path, int checks) {
        if (stage != Stage.HANDOVER) {
            return; // cancelled or the client closed meanwhile: finishFailed closed the socket
        }
        SocketChannel socket = ch.socket();
        if (socket.isRegistered() && checks < MAX_UNREGISTER_CHECKS) {
            // Deregistering cancels the key; the selector drops it at its next select, which comes
            // after the tasks the loop runs now, so a scheduled task (even with no delay) runs later.
            try {
                loop.schedule(() -> release(ch, readAhead, path, checks + 1), checks == 0 ? 0 : 1,
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                finishFailed(null);
            }
            return;
        }
        stage = Stage.DONE;
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        PunchedSocket s = new PunchedSocket(socket, readAhead.bytes(), path, elapsed);
        log.debug("{} connected {} via {} in {} ms, handed over as a socket{}", this, ch.remoteAddress(), path, elapsed.toMillis(),
                socket.isRegistered() ? " (still registered with a cancelled key)" : "");
        settings.callbackExecutor().execute(() -> {
            if (!socketResult.complete(s)) {
                closeQuietly(socket);
            }
        });
        onDone.run();
    }

    /** Copies what reaches it and releases the buffers at once, so nothing can leak once the channel leaves Netty. */
    private static final class ReadAhead extends ChannelInboundHandlerAdapter {
        private byte[] bytes = new byte[0];

        void add(ByteBuf b) {
            if (b == null) {
                return;
            }
            try {
                int n = b.readableBytes();
                byte[] more = Arrays.copyOf(bytes, bytes.length + n);
                b.readBytes(more, bytes.length, n);
                bytes = more;
            } finally {
                b.release();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                add((ByteBuf) msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        byte[] bytes() {
            return bytes;
        }
    }

    private static void closeQuietly(SocketChannel s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to lose
        }
    }

    void serverError(Channel ch, Message.Error e) {
        String text = "server refused: " + e.code() + " " + e.text();
        if (ch == relay) {
            lastProblem = "relay " + text;
            if (e.code() != ErrorCode.AUTH_FAILED && e.code() != ErrorCode.REPLAYED) {
                return;
            }
        }
        Reason r = e.code() == ErrorCode.AUTH_FAILED || e.code() == ErrorCode.REPLAYED ? Reason.AUTH_FAILED
                : e.code() == ErrorCode.DUPLICATE_REGISTRATION ? Reason.DUPLICATE_REGISTRATION
                : e.code().retryable() && e.code() != ErrorCode.EXPIRED ? Reason.BUSY
                : e.code() == ErrorCode.EXPIRED ? Reason.TIMEOUT : Reason.REFUSED;
        if (r == Reason.BUSY && ch == rendezvous) {
            serverTrouble(r, text, null); // full or shutting down: perhaps not for long
        } else {
            fail(r, text, null);
        }
    }

    /**
     * The rendezvous server is unreachable, closed the connection before acknowledging the
     * registration, or is busy: start over from a new connection after a back-off (100 ms,
     * doubling to 1 s), as long as the trouble has lasted less than the client's server retry
     * timeout and the call's deadline is not reached; else fail with {@code reason} and the problem.
     */
    private void serverTrouble(Reason reason, String problem, Throwable cause) {
        if (stage == Stage.DONE || stage.compareTo(Stage.PUNCHING) >= 0) {
            return;
        }
        lastProblem = problem;
        long now = System.nanoTime();
        if (registeredNanos != 0 && now - registeredNanos > TimeUnit.MILLISECONDS.toNanos(MAX_SERVER_RETRY_DELAY_MS)) {
            // The server held the registration for a while (SERVER_FULL comes right after REGISTERED):
            // it worked, and this is a new run of trouble, e.g. a restart.
            serverRetries = 0;
        }
        registeredNanos = 0;
        if (serverRetries == 0) {
            troubleSinceNanos = now;
        }
        long delayMs = Math.min(MAX_SERVER_RETRY_DELAY_MS, SERVER_RETRY_DELAY_MS << Math.min(serverRetries, 10));
        long retryAt = now + TimeUnit.MILLISECONDS.toNanos(delayMs);
        long troubleMs = TimeUnit.NANOSECONDS.toMillis(now - troubleSinceNanos);
        if (retryAt - (troubleSinceNanos + settings.serverRetryTimeout().toNanos()) > 0 || retryAt - deadlineNanos >= 0) {
            fail(reason, problem + " (still so after " + (serverRetries + 1) + " attempts over " + troubleMs + " ms; "
                    + "retried for up to " + settings.serverRetryTimeout().toMillis() + " ms within the deadline)", cause);
            return;
        }
        serverRetries++;
        log.debug("{} {}; retrying in {} ms (attempt {}, trouble for {} ms)", this, problem, delayMs, serverRetries + 1, troubleMs);
        stage = Stage.CONNECTING;
        cancel(stageTimer);
        Channel old = rendezvous;
        Channel oldProbe = probe;
        rendezvous = null; // so the old channels' events no longer count
        probe = null;
        if (old != null) {
            old.close();
        }
        if (oldProbe != null) {
            oldProbe.close();
        }
        loop.schedule(this::connectRendezvous, delayMs, TimeUnit.MILLISECONDS);
    }

    void candidateFailed(Channel ch, PunchPath path, Throwable cause) {
        candidates.remove(ch);
        lastProblem = path + " " + ch.remoteAddress() + ": " + cause.getMessage();
        log.debug("{} candidate {} {} failed: {}", this, path, ch.remoteAddress(), cause.toString());
        if (cause instanceof ProtocolException && ((ProtocolException) cause).code() == ErrorCode.AUTH_FAILED) {
            peerVerificationFailed = true;
        }
    }

    private boolean peerVerificationFailed;

    private void deadlinePassed() {
        if (stage == Stage.DONE) {
            return;
        }
        String what;
        switch (stage) {
            case CONNECTING:
                what = "could not reach the server";
                break;
            case PROBING:
            case REGISTERING:
                what = "the server did not answer";
                break;
            case WAITING_FOR_PEER:
                what = "peer '" + peerId + "' did not register";
                break;
            default:
                what = "no direct connection" + (settings.relay() ? " nor relay" : "") + " completed the handshake";
        }
        Reason reason = peerVerificationFailed ? Reason.PEER_VERIFICATION_FAILED
                : stage == Stage.CONNECTING ? Reason.SERVER_UNREACHABLE : Reason.TIMEOUT;
        fail(reason, what + (lastProblem != null ? " (last problem: " + lastProblem + ")" : ""), null);
    }

    private void fail(Reason reason, String text, Throwable cause) {
        if (stage == Stage.DONE) {
            return;
        }
        finishFailed(new PunchException(reason, describe(text), cause));
    }

    private String describe(String text) {
        return "pairing '" + name + "' (self " + selfId + ", peer " + peerId + ") via server " + settings.server()
                + " with a deadline of " + timeout + ": " + text;
    }

    /** Ends the attempt without a connection; {@code e} null means cancelled or closed. */
    void finishFailed(PunchException e) {
        if (stage == Stage.DONE) {
            return;
        }
        if (stage == Stage.HANDOVER) {
            // The winner left its event loop: close its socket directly.
            closeQuietly(((OwnedChannels.OwnedSocketChannel) selected).socket());
        }
        stage = Stage.DONE;
        closeAllBut(null);
        log.debug("{} failed: {}", this, e == null ? "cancelled" : e.getMessage());
        completeExceptionally(e != null ? e : new PunchException(Reason.CLOSED, describe("cancelled or client closed")));
        onDone.run();
    }

    private void completeExceptionally(PunchException e) {
        settings.callbackExecutor().execute(() -> future.completeExceptionally(e));
    }

    private void closeAllBut(Channel keep) {
        cancel(deadlineTimer);
        cancel(stageTimer);
        for (Channel c : new ArrayList<>(candidates)) {
            if (c != keep) {
                c.close();
            }
        }
        candidates.clear();
        for (Channel c : new Channel[] {rendezvous, probe, listener, relay}) {
            if (c != null && c != keep) {
                c.close();
            }
        }
    }

    /** Closes the attempt from any thread (client shutdown). */
    void abort() {
        loop.execute(() -> finishFailed(null));
    }

    // ------------------------------------------------------------ helpers

    private long remainingNanos() {
        return Math.max(0, deadlineNanos - System.nanoTime());
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private static boolean sameFamily(InetAddress a, InetAddress b) {
        return (a instanceof Inet4Address) == (b instanceof Inet4Address);
    }

    private static boolean isLocal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    private static InetAddress anyV4() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static InetAddress anyV6() {
        try {
            return InetAddress.getByAddress(new byte[16]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
