package io.fmi.tcpunch;

import io.fmi.tcpunch.internal.ClientSettings;
import io.fmi.tcpunch.internal.Hmac;
import io.fmi.tcpunch.internal.PunchAttempts;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens direct TCP connections between peers behind NAT, with a rendezvous server's help and its
 * relay as the fallback. For a pairing name, both peers call {@link #connect} (or
 * {@link #connectSocket}); each gets a connected, handshaken connection and the {@link PunchPath}
 * it took: a Netty {@link Channel} with the caller's handlers ({@link PunchedConnection}), or a
 * plain {@link java.nio.channels.SocketChannel} that no event loop drives any more
 * ({@link PunchedSocket}), for callers that do their own I/O.
 *
 * <pre>
 * HolePunchClient client = HolePunchClient.builder()
 *         .server(new InetSocketAddress("10.0.0.5", 10000))
 *         .secret(secret)                                  // if the server has one
 *         .build();
 * PunchedConnection c = client.connect("job42:0:3", "0", "3", Duration.ofSeconds(30),
 *         ch -&gt; ch.pipeline().addLast(new MyHandler())).join();
 * c.path();   // DIRECT_PUBLIC, DIRECT_PRIVATE or RELAY
 *
 * PunchedSocket s = client.connectSocket("job42:0:4", "0", "4", Duration.ofSeconds(30)).join();
 * s.received();   // bytes of the peer read with the handshake; then read s.socket()
 * </pre>
 *
 * <h2>How a connection is made</h2>
 * <ol>
 * <li>Connect to the server from a fresh local port P (with {@code SO_REUSEADDR} and
 *     {@code SO_REUSEPORT}, so P can be shared), and from P again to the server's probe port: two
 *     different public ports mean a symmetric NAT, where punching cannot work.</li>
 * <li>Register the pairing name with the private addresses of this host; the server pushes the
 *     peer's public and private addresses to both peers at the same moment.</li>
 * <li>From P, connect to the peer's public and private addresses at once and keep retrying until
 *     the direct deadline. Both peers connecting at the same moment is TCP simultaneous open, which
 *     passes NATs that drop unsolicited inbound SYNs; a listener would not (its SYN-ACK is dropped).</li>
 * <li>Past the direct deadline, or at once for symmetric NAT, ask the server to relay.</li>
 * <li>Every connection runs a handshake proving both ends are the paired peers (and hold the
 *     secret); the peer with the smaller id keeps the first that succeeds.</li>
 * </ol>
 *
 * <h2>Threads and ownership</h2>
 * Thread-safe and re-entrant: one client serves many concurrent {@code connect} calls, each on one
 * event loop of the client's group. An {@link EventLoopGroup} passed to the builder stays the
 * caller's to close; otherwise the client creates one (NIO, see below) and {@link #close()} releases
 * it. Futures are completed on the callback executor (default: the common fork-join pool), never on
 * an event loop unless that executor runs there. The returned channel or socket belongs to the caller.
 * Create one client per process (or warm Lambda container) and reuse it.
 *
 * <h2>Transports</h2>
 * {@link #connectSocket} needs NIO event loops: the client opens every socket of such a call itself,
 * as a {@code java.nio} socket under a Netty NIO channel, and hands the winner's socket over, with
 * no reflection into Netty. An epoll socket has no {@code java.nio} socket to hand over. The group a
 * client creates for itself is therefore NIO; a caller that wants {@link #connect}'s channels on
 * epoll passes an epoll group ({@link Transports#newEventLoopGroup}) and cannot use
 * {@code connectSocket} with that client.
 */
public final class HolePunchClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HolePunchClient.class);

    /**
     * A peer id meaning "any peer that also registers this pairing name with {@code ANY_PEER}": for
     * connectivity checks where neither side knows the other's id. The self ids must differ.
     */
    public static final String ANY_PEER = "*";

    /** How long a client tries direct paths before the relay, unless {@link Builder#directTimeout} says otherwise. */
    public static final Duration DEFAULT_DIRECT_TIMEOUT = Duration.ofSeconds(3);
    /** How long the symmetric-NAT probe may take, unless {@link Builder#probeTimeout} says otherwise. */
    public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(1);
    /**
     * How long a call keeps retrying an unreachable or busy rendezvous server, unless
     * {@link Builder#serverRetryTimeout} says otherwise: long enough for a server restart, short
     * enough that a missing server is reported within seconds rather than at the call's deadline.
     */
    public static final Duration DEFAULT_SERVER_RETRY_TIMEOUT = Duration.ofSeconds(5);

    private final ClientSettings settings;
    private final boolean ownsGroup;
    private final PunchAttempts attempts = new PunchAttempts();

    private HolePunchClient(ClientSettings settings, boolean ownsGroup) {
        this.settings = settings;
        this.ownsGroup = ownsGroup;
    }

    /** A builder with the defaults; {@link Builder#server} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens a connection to {@code peerId}, which calls this with the same {@code pairingName} and the
     * two ids swapped.
     *
     * @param pairingName         names the pair on the server; unique per pair of peers (e.g. {@code job:min:max})
     * @param selfId              this peer's id (e.g. its rank); not equal to {@code peerId}
     * @param peerId              the peer's id, or {@link #ANY_PEER}
     * @param timeout             deadline for the whole call, waiting for the peer included
     * @param pipelineInitializer runs on the channel's event loop once the handshake succeeded and the
     *                            client's handlers are gone, before any byte after the handshake is
     *                            delivered; add your handlers here
     * @return completes with the connection, or fails with a {@link PunchException} naming the
     *         pairing, the server and the deadline; cancelling it abandons the attempt
     */
    public CompletableFuture<PunchedConnection> connect(String pairingName, String selfId, String peerId,
                                                        Duration timeout, Consumer<Channel> pipelineInitializer) {
        Objects.requireNonNull(pipelineInitializer, "pipelineInitializer");
        checkArguments(pairingName, selfId, peerId, timeout);
        return attempts.start(settings, pairingName, selfId, peerId, timeout, pipelineInitializer);
    }

    /**
     * Opens a connection to {@code peerId} as {@link #connect} does, and hands it over as a plain
     * {@code java.nio} socket, off the client's event loops (see {@link PunchedSocket} for its state
     * and the bytes already read). The peer may call either method: the bytes on the wire are the same.
     *
     * @param pairingName names the pair on the server; unique per pair of peers (e.g. {@code job:min:max})
     * @param selfId      this peer's id (e.g. its rank); not equal to {@code peerId}
     * @param peerId      the peer's id, or {@link #ANY_PEER}
     * @param timeout     deadline for the whole call, waiting for the peer included
     * @return completes with the socket, or fails with a {@link PunchException} naming the pairing,
     *         the server and the deadline; cancelling it abandons the attempt
     * @throws IllegalStateException when the client runs on epoll event loops (see "Transports" above)
     */
    public CompletableFuture<PunchedSocket> connectSocket(String pairingName, String selfId, String peerId, Duration timeout) {
        checkArguments(pairingName, selfId, peerId, timeout);
        if (settings.epoll()) {
            throw new IllegalStateException("connectSocket: the client runs on epoll event loops (expected: NIO ones, "
                    + "which carry java.nio sockets; pass an NioEventLoopGroup to eventLoopGroup(...), or none)");
        }
        return attempts.startSocket(settings, pairingName, selfId, peerId, timeout);
    }

    private static void checkArguments(String pairingName, String selfId, String peerId, Duration timeout) {
        Objects.requireNonNull(pairingName, "pairingName");
        Objects.requireNonNull(selfId, "selfId");
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(timeout, "timeout");
        checkText(pairingName, "pairing name");
        checkText(selfId, "self id");
        checkText(peerId, "peer id");
        if (selfId.equals(peerId)) {
            throw new IllegalArgumentException("peer id: '" + peerId + "' (expected: different from the self id)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
    }

    private static void checkText(String s, String what) {
        int n = s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (n == 0 || n > 255) {
            throw new IllegalArgumentException(what + " length: " + n + " bytes (expected: 1..255)");
        }
    }

    /** The rendezvous server this client uses. */
    public InetSocketAddress server() {
        return settings.server();
    }

    /** Fails the connections in progress and, if the client created its event loops, releases them. */
    @Override
    public void close() {
        attempts.abortAll();
        if (ownsGroup) {
            settings.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        log.debug("hole punch client for {} closed", settings.server());
    }

    /** Settings of a {@link HolePunchClient}. Not thread-safe; {@link #build()} validates and copies. */
    public static final class Builder {
        private InetSocketAddress server;
        private byte[] secret;
        private EventLoopGroup group;
        private Executor callbackExecutor;
        private List<InetAddress> privateAddresses;
        private Duration directTimeout = DEFAULT_DIRECT_TIMEOUT;
        private Duration probeTimeout = DEFAULT_PROBE_TIMEOUT;
        private Duration serverRetryTimeout = DEFAULT_SERVER_RETRY_TIMEOUT;
        private boolean mappingProbe = true;
        private boolean relay = true;
        private boolean direct = true;

        private Builder() {
        }

        /** The rendezvous server's main port. Required. */
        public Builder server(InetSocketAddress server) {
            this.server = Objects.requireNonNull(server, "server");
            return this;
        }

        /** The server's shared secret; copied. Default: none. */
        public Builder secret(byte[] secret) {
            this.secret = RendezvousServer.Builder.copySecret(secret);
            return this;
        }

        /**
         * Event loops to run on; the caller keeps ownership and closes them. Default: the client's own
         * NIO loops. With an epoll group, {@link HolePunchClient#connectSocket} is refused.
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = group;
            return this;
        }

        /** Where futures are completed. Default: {@link ForkJoinPool#commonPool()}. */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = executor;
            return this;
        }

        /**
         * Private addresses to advertise to peers (for peers behind the same NAT). Default: the
         * addresses of this host's up, non-loopback interfaces (no link-local ones).
         */
        public Builder privateAddresses(List<InetAddress> addresses) {
            this.privateAddresses = List.copyOf(addresses);
            return this;
        }

        /** How long to try direct paths before the relay. Default {@link #DEFAULT_DIRECT_TIMEOUT}; capped at half the call's timeout. */
        public Builder directTimeout(Duration timeout) {
            this.directTimeout = RendezvousServer.Builder.checkPositive(timeout, "direct timeout");
            return this;
        }

        /** How long the mapping probe may take. Default {@link #DEFAULT_PROBE_TIMEOUT}. */
        public Builder probeTimeout(Duration timeout) {
            this.probeTimeout = RendezvousServer.Builder.checkPositive(timeout, "probe timeout");
            return this;
        }

        /**
         * How long a call keeps retrying while the rendezvous server is unreachable (connection
         * refused or reset, closed before the registration was acknowledged) or busy (SERVER_FULL,
         * shutting down): it reconnects with exponential back-off (100 ms doubling to 1 s) and
         * registers again, so a server restart within this time goes unnoticed. When the trouble
         * lasts longer (counted from its start; a successful registration resets it), or the call's
         * deadline comes first, the call fails with {@link PunchException.Reason#SERVER_UNREACHABLE}
         * or {@link PunchException.Reason#BUSY} and the last problem seen. Refusals that retrying
         * cannot cure (a wrong secret, a duplicate registration) fail at once. Default
         * {@link #DEFAULT_SERVER_RETRY_TIMEOUT}.
         */
        public Builder serverRetryTimeout(Duration timeout) {
            this.serverRetryTimeout = RendezvousServer.Builder.checkPositive(timeout, "server retry timeout");
            return this;
        }

        /** Whether to probe for symmetric NAT before registering. Default true. */
        public Builder mappingProbe(boolean enabled) {
            this.mappingProbe = enabled;
            return this;
        }

        /** Whether to fall back to the server's relay. Default true. */
        public Builder relay(boolean enabled) {
            this.relay = enabled;
            return this;
        }

        /**
         * Whether to try direct paths at all. Default true; false goes straight to the relay (for hosts
         * known to sit behind symmetric NAT, and for testing the relay).
         */
        public Builder direct(boolean enabled) {
            this.direct = enabled;
            return this;
        }

        /** Validates the settings and builds the client; it opens no connection yet. */
        public HolePunchClient build() {
            if (!direct && !relay) {
                throw new IllegalStateException("direct and relay both disabled (expected: at least one path)");
            }
            if (server == null) {
                throw new IllegalStateException("server: null (expected: the rendezvous server's address)");
            }
            if (server.isUnresolved()) {
                throw new IllegalArgumentException("server: " + server + " (expected: a resolved address)");
            }
            boolean own = group == null;
            // NIO, not epoll: such loops carry both connect()'s channels and connectSocket()'s java.nio sockets.
            EventLoopGroup g = own ? new NioEventLoopGroup(0, new DefaultThreadFactory("fmi-punch", true)) : group;
            ClientSettings s = new ClientSettings(server, secret == null ? null : new Hmac(secret),
                    secret == null ? null : secret.clone(), g, Transports.isEpoll(g),
                    callbackExecutor != null ? callbackExecutor : ForkJoinPool.commonPool(),
                    privateAddresses != null ? privateAddresses : localAddresses(),
                    directTimeout, probeTimeout, serverRetryTimeout, mappingProbe, relay, direct, new SecureRandom());
            return new HolePunchClient(s, own);
        }

        private static List<InetAddress> localAddresses() {
            List<InetAddress> list = new ArrayList<>();
            try {
                for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    if (!nif.isUp() || nif.isLoopback()) {
                        continue;
                    }
                    for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                        if (!a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
                            list.add(a instanceof Inet6Address ? stripScope((Inet6Address) a) : a);
                        }
                    }
                }
            } catch (SocketException e) {
                log.debug("cannot list network interfaces: {}", e.toString());
            }
            return List.copyOf(list);
        }

        private static InetAddress stripScope(Inet6Address a) {
            try {
                return InetAddress.getByAddress(a.getAddress());
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }
}
