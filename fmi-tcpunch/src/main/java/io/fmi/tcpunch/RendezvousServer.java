package io.fmi.tcpunch;

import io.fmi.tcpunch.internal.Hmac;
import io.fmi.tcpunch.internal.OpenFileLimit;
import io.fmi.tcpunch.internal.ServerConfig;
import io.fmi.tcpunch.internal.ServerCore;
import io.fmi.tcpunch.internal.ServerInitializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.NettyRuntime;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rendezvous server: peers behind NAT register a pairing name, learn the public address the
 * server saw, and when the second peer of the name arrives both get each other's public and
 * private addresses at the same moment, so both can connect at once (TCP simultaneous open).
 * When they cannot, the server relays: it splices two connections of the pair.
 *
 * <pre>
 * try (RendezvousServer server = RendezvousServer.builder()
 *         .port(10000)                       // probe port defaults to 10001
 *         .secret(secretBytes)               // peers must sign their requests; or insecure(true)
 *         .registrationTtl(Duration.ofSeconds(60))
 *         .build()
 *         .start()) {                        // returns once both ports listen
 *     System.out.println(server.stats().toLine());
 * }
 * </pre>
 *
 * <h2>Ports</h2>
 * The main port serves everything. The probe port answers only PROBE requests the same way: a
 * client that connects to both from one local port and is told two different public ports is behind
 * a symmetric NAT, where punching cannot work, and goes straight to the relay.
 *
 * <h2>Secure by default</h2>
 * A server needs a shared secret ({@link Builder#secret}): only requests signed with it register,
 * and only peers holding it complete the handshake on the punched connection. Without one,
 * {@link Builder#build()} fails unless {@link Builder#insecure insecure(true)} says on purpose that
 * anyone who reaches the port may register any pairing name, pair with a waiting peer and receive
 * its data; {@link #start()} then logs a WARN saying so.
 *
 * <h2>Robustness</h2>
 * Registrations expire after {@link Builder#registrationTtl}; a waiting peer whose connection closes
 * is forgotten at once, so a newcomer is never paired with a dead peer. A second registration of a
 * waiting pairing name and self id is refused ({@code DUPLICATE_REGISTRATION}), never swapped in:
 * two jobs run with the same name are told instead of being paired across. Pending registrations,
 * connections, relays and remembered pairings are bounded, and connections and pending registrations
 * also per source address ({@link Builder#maxConnectionsPerAddress}, {@link Builder#maxPendingPerAddress}),
 * so one address that floods the server does not stop others from pairing; a refusal is logged at
 * WARN with the address and the limit, at most once per 10 s for each limit. The connection limit
 * is checked against the process's {@code RLIMIT_NOFILE} when the server is built. A malformed,
 * oversize, slow or flooding client gets an ERROR frame and a close; it never stalls others (nothing
 * blocks an event loop) and no error stops the server. The wire protocol is in {@code docs/protocol.md}; unmodified C++ TCPunch
 * clients are served too (see {@link Builder#legacyTcpunch}).
 *
 * <h2>Threads and ownership</h2>
 * The server owns its event loops (one acceptor thread, {@link Builder#workerThreads} workers) and
 * releases them in {@link #close()}. All methods are thread-safe.
 */
public final class RendezvousServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RendezvousServer.class);

    /** Main port unless {@link Builder#port} says otherwise. */
    public static final int DEFAULT_PORT = 10000;
    /** How long a registration waits for its peer. */
    public static final Duration DEFAULT_REGISTRATION_TTL = Duration.ofSeconds(60);
    /** How long a matched pairing is remembered for the relay. */
    public static final Duration DEFAULT_PAIRING_TTL = Duration.ofSeconds(30);
    /** How long a new connection may take to send its first request. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Largest accepted clock difference of a signed request. */
    public static final Duration DEFAULT_REPLAY_WINDOW = Duration.ofSeconds(30);
    /** Most registrations waiting at once. */
    public static final int DEFAULT_MAX_PENDING = 100_000;
    /**
     * Most registrations waiting at once from one source address (an IPv4 address or an IPv6 /64),
     * unless half the per-address connection limit is less: twice the 2,048 that a 256-function job
     * behind one NAT address holds while all its ranks open a recursive-doubling collective's
     * log2(256) = 8 connections at once.
     */
    public static final int DEFAULT_MAX_PENDING_PER_ADDRESS = 4_096;
    /**
     * Most open client connections, lowered to what {@code RLIMIT_NOFILE} leaves (see
     * {@link Builder#maxConnections}). A waiting registration holds about 2 KiB of heap, so this
     * many take about 130 MiB: within the 256 MiB default heap of a 1 GiB VM (t2.micro).
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 65_536;
    /**
     * Most open connections from one source address, unless a quarter of the connection limit is
     * less (so one address never holds more than a quarter of the server): a registration holds one,
     * a punching pair keeps its two until it is done, a relay holds two; twice
     * {@link #DEFAULT_MAX_PENDING_PER_ADDRESS}.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 8_192;
    /** Most relays at once. */
    public static final int DEFAULT_MAX_RELAYS = 1_000;
    /** Longest pairing name in UTF-8 bytes. */
    public static final int DEFAULT_MAX_NAME_BYTES = 200;
    /** Longest peer id in UTF-8 bytes. */
    public static final int DEFAULT_MAX_ID_BYTES = 64;
    /**
     * File descriptors kept for the server itself when {@code maxConnections} is checked against
     * {@code RLIMIT_NOFILE}: this many, plus {@value #DESCRIPTORS_PER_EVENT_LOOP} per event loop.
     */
    public static final int RESERVED_DESCRIPTORS = 128;
    /** File descriptors an epoll event loop holds (its epoll, event and timer descriptors). */
    public static final int DESCRIPTORS_PER_EVENT_LOOP = 3;

    private final Builder b;
    private final ServerCore core;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel mainChannel;
    private Channel probeChannel;

    private RendezvousServer(Builder b, ServerCore core) {
        this.b = b;
        this.core = core;
    }

    /** A builder with the defaults; {@link Builder#build()} needs a secret or {@code insecure(true)}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the main port and the probe port and returns once both listen.
     *
     * @throws IllegalStateException if a port cannot be bound (the message names it) or the server was started
     */
    public synchronized RendezvousServer start() {
        if (boss != null) {
            throw new IllegalStateException("server already started on port " + port());
        }
        boss = Transports.newEventLoopGroup(1, "fmi-rendezvous-accept");
        workers = Transports.newEventLoopGroup(b.workerThreads, "fmi-rendezvous");
        ServerBootstrap sb = new ServerBootstrap()
                .group(boss, workers)
                .channel(Transports.serverSocketChannelClass(boss))
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
                .childHandler(new ServerInitializer(core));
        try {
            mainChannel = bind(sb, b.port);
            if (b.probePort != Builder.PROBE_DISABLED) {
                int probe = b.probePort == Builder.PROBE_NEXT ? (b.port == 0 ? 0 : b.port + 1) : b.probePort;
                probeChannel = bind(sb, probe);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        core.probePort(Math.max(0, probePort()));
        boss.scheduleAtFixedRate(core::sweepPairingsNow, 1, 1, TimeUnit.SECONDS);
        if (b.secret == null) {
            log.warn("rendezvous server on {} runs without a shared secret (insecure): anyone who can reach it can"
                    + " register any pairing name, pair with a waiting peer and receive its data; set a secret"
                    + " (RendezvousServer.Builder.secret, CLI --secret-file or FMI_SECRET) unless every client is trusted",
                    mainChannel.localAddress());
        }
        ServerConfig c = core.config();
        log.debug("rendezvous server listening on {} (probe port {}, auth {}, legacy TCPunch {}, max connections {}"
                + " ({} per address), max pending {} ({} per address))", mainChannel.localAddress(), probePort(),
                b.secret != null ? "on" : "off", b.legacyEnabled(), c.maxConnections(), c.maxConnectionsPerAddress(),
                c.maxPending(), c.maxPendingPerAddress());
        return this;
    }

    private Channel bind(ServerBootstrap sb, int port) {
        InetSocketAddress addr = b.bindAddress == null ? new InetSocketAddress(port) : new InetSocketAddress(b.bindAddress, port);
        try {
            return sb.bind(addr).sync().channel();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot listen on " + addr + ": " + e.getMessage(), e);
        }
    }

    /** The bound main port (the real one when built with port 0). */
    public int port() {
        return ((InetSocketAddress) mainChannel.localAddress()).getPort();
    }

    /** The bound probe port, or -1 if the probe port is disabled. */
    public int probePort() {
        return probeChannel == null ? -1 : ((InetSocketAddress) probeChannel.localAddress()).getPort();
    }

    /** The main port's socket address (the wildcard address unless a bind address was set). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) mainChannel.localAddress();
    }

    /** The counters now. */
    public ServerStats stats() {
        return core.stats();
    }

    /** The effective limit on open connections (after the {@code RLIMIT_NOFILE} check in {@link Builder#build()}). */
    public int maxConnections() {
        return core.config().maxConnections();
    }

    /** The effective limit on open connections from one source address. */
    public int maxConnectionsPerAddress() {
        return core.config().maxConnectionsPerAddress();
    }

    /** The effective limit on waiting registrations from one source address. */
    public int maxPendingPerAddress() {
        return core.config().maxPendingPerAddress();
    }

    /** Stops listening, closes every connection and releases the event loops. Idempotent. */
    @Override
    public synchronized void close() {
        if (boss == null) {
            return;
        }
        if (mainChannel != null) {
            mainChannel.close().awaitUninterruptibly();
        }
        if (probeChannel != null) {
            probeChannel.close().awaitUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        boss.terminationFuture().awaitUninterruptibly();
        boss = null;
        log.debug("rendezvous server stopped: {}", core.stats().toLine());
    }

    /**
     * Settings of a {@link RendezvousServer}. Not thread-safe; {@link #build()} copies and validates.
     */
    public static final class Builder {
        static final int PROBE_NEXT = -2;
        static final int PROBE_DISABLED = -1;

        private InetAddress bindAddress;
        private int port = DEFAULT_PORT;
        private int probePort = PROBE_NEXT;
        private byte[] secret;
        private Duration registrationTtl = DEFAULT_REGISTRATION_TTL;
        private Duration pairingTtl = DEFAULT_PAIRING_TTL;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration replayWindow = DEFAULT_REPLAY_WINDOW;
        private int maxPending = DEFAULT_MAX_PENDING;
        private Integer maxPendingPerAddress;
        private int maxPairings = DEFAULT_MAX_PENDING;
        private Integer maxConnections;
        private Integer maxConnectionsPerAddress;
        private int maxRelays = DEFAULT_MAX_RELAYS;
        private int maxNameBytes = DEFAULT_MAX_NAME_BYTES;
        private int maxIdBytes = DEFAULT_MAX_ID_BYTES;
        private Boolean legacyTcpunch;
        private boolean insecure;
        private int workerThreads;

        private Builder() {
        }

        /** Address to listen on; default: the wildcard address (IPv4 and IPv6). */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = address;
            return this;
        }

        /** Main port; 0 picks a free one. Default {@value RendezvousServer#DEFAULT_PORT}. */
        public Builder port(int port) {
            this.port = checkPort(port, "port");
            return this;
        }

        /** Probe port; 0 picks a free one. Default: the main port + 1, or a free port when the main port is 0. */
        public Builder probePort(int port) {
            this.probePort = checkPort(port, "probe port");
            return this;
        }

        /** Serves no probe port: clients then cannot detect symmetric NAT up front (they still fall back to the relay). */
        public Builder noProbePort() {
            this.probePort = PROBE_DISABLED;
            return this;
        }

        /**
         * Shared secret every request must be signed with (HMAC-SHA256); copied. Required unless
         * {@link #insecure insecure(true)}; null removes it.
         */
        public Builder secret(byte[] secret) {
            this.secret = copySecret(secret);
            return this;
        }

        /**
         * Serve without a shared secret: anyone who can reach the server may register any pairing
         * name and pair with a waiting peer. Only for trusted networks and tests; {@link #start()}
         * logs a WARN. Default false, and then {@link #build()} needs a {@link #secret}.
         */
        public Builder insecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /** How long a registration waits for its peer. Default {@link #DEFAULT_REGISTRATION_TTL}. */
        public Builder registrationTtl(Duration ttl) {
            this.registrationTtl = checkPositive(ttl, "registration ttl");
            return this;
        }

        /** How long after pairing its peers may ask for a relay. Default {@link #DEFAULT_PAIRING_TTL}. */
        public Builder pairingTtl(Duration ttl) {
            this.pairingTtl = checkPositive(ttl, "pairing ttl");
            return this;
        }

        /** How long a new connection may take to send its first request. Default {@link #DEFAULT_REQUEST_TIMEOUT}. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = checkPositive(timeout, "request timeout");
            return this;
        }

        /** Largest accepted clock difference of a signed request. Default {@link #DEFAULT_REPLAY_WINDOW}. */
        public Builder replayWindow(Duration window) {
            this.replayWindow = checkPositive(window, "replay window");
            return this;
        }

        /** Most registrations waiting at once; more get SERVER_FULL. Default {@value RendezvousServer#DEFAULT_MAX_PENDING}. */
        public Builder maxPending(int max) {
            this.maxPending = checkPositive(max, "max pending");
            return this;
        }

        /**
         * Most registrations waiting at once from one source address (an IPv4 address, or an IPv6
         * /64 prefix); more get SERVER_FULL. Default: {@value RendezvousServer#DEFAULT_MAX_PENDING_PER_ADDRESS},
         * or half the per-address connection limit if that is less. Raise it when many functions share
         * one public address (behind one NAT gateway) and open connections to all their peers at
         * once: a job of n such functions needs n(n-1).
         */
        public Builder maxPendingPerAddress(int max) {
            this.maxPendingPerAddress = checkPositive(max, "max pending per address");
            return this;
        }

        /** Most matched pairings remembered for the relay. Default {@value RendezvousServer#DEFAULT_MAX_PENDING}. */
        public Builder maxPairings(int max) {
            this.maxPairings = checkPositive(max, "max pairings");
            return this;
        }

        /**
         * Most open client connections; more are closed at once. Each takes a file descriptor, so
         * {@link #build()} fails if {@code max} plus the server's own descriptors
         * ({@value RendezvousServer#RESERVED_DESCRIPTORS} + {@value RendezvousServer#DESCRIPTORS_PER_EVENT_LOOP}
         * per event loop) exceed the process's {@code RLIMIT_NOFILE}. Default: the smaller of
         * {@value RendezvousServer#DEFAULT_MAX_CONNECTIONS} and what {@code RLIMIT_NOFILE} leaves.
         */
        public Builder maxConnections(int max) {
            this.maxConnections = checkPositive(max, "max connections");
            return this;
        }

        /**
         * Most open connections from one source address (an IPv4 address, or an IPv6 /64 prefix);
         * more are closed at once. Default: {@value RendezvousServer#DEFAULT_MAX_CONNECTIONS_PER_ADDRESS},
         * or a quarter of {@link #maxConnections} if that is less.
         */
        public Builder maxConnectionsPerAddress(int max) {
            this.maxConnectionsPerAddress = checkPositive(max, "max connections per address");
            return this;
        }

        /** Most relays at once. Default {@value RendezvousServer#DEFAULT_MAX_RELAYS}. */
        public Builder maxRelays(int max) {
            this.maxRelays = checkPositive(max, "max relays");
            return this;
        }

        /** Longest pairing name in UTF-8 bytes (at most 255). Default {@value RendezvousServer#DEFAULT_MAX_NAME_BYTES}. */
        public Builder maxNameBytes(int max) {
            this.maxNameBytes = checkRange(max, 1, 255, "max name bytes");
            return this;
        }

        /** Longest peer id in UTF-8 bytes (at most 255). Default {@value RendezvousServer#DEFAULT_MAX_ID_BYTES}. */
        public Builder maxIdBytes(int max) {
            this.maxIdBytes = checkRange(max, 1, 255, "max id bytes");
            return this;
        }

        /**
         * Whether to serve unmodified C++ TCPunch clients, which cannot authenticate. Default: true
         * without a secret, false with one (then enabling it lets TCPunch clients pair with each
         * other unauthenticated; they never pair with framed clients).
         */
        public Builder legacyTcpunch(boolean enabled) {
            this.legacyTcpunch = enabled;
            return this;
        }

        /** Worker event loops; 0 (default) means Netty's default (2 x cores). */
        public Builder workerThreads(int threads) {
            this.workerThreads = checkRange(threads, 0, 1024, "worker threads");
            return this;
        }

        boolean legacyEnabled() {
            return legacyTcpunch != null ? legacyTcpunch : secret == null;
        }

        /**
         * Validates and copies the settings, and checks the connection limit against this process's
         * {@code RLIMIT_NOFILE} (read from {@code /proc/self/limits}; not checked where it cannot be read).
         *
         * @throws IllegalStateException without a secret and without {@code insecure(true)}, or with
         *         both; or if {@link #maxConnections} does not fit the file descriptor limit
         */
        public RendezvousServer build() {
            if (secret == null && !insecure) {
                throw new IllegalStateException("rendezvous server without a shared secret: set one with secret(byte[])"
                        + " (CLI: --secret-file FILE, --secret or the FMI_SECRET environment variable), or call"
                        + " insecure(true) (CLI: --insecure) to let anyone register and pair");
            }
            if (secret != null && insecure) {
                throw new IllegalStateException("rendezvous server with a shared secret and insecure(true)"
                        + " (expected: one of them)");
            }
            int connections = effectiveMaxConnections(OpenFileLimit.current());
            int connectionsPerAddress = maxConnectionsPerAddress != null ? maxConnectionsPerAddress
                    : Math.min(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, Math.max(1, connections / 4));
            int pendingPerAddress = maxPendingPerAddress != null ? maxPendingPerAddress
                    : Math.min(DEFAULT_MAX_PENDING_PER_ADDRESS, Math.max(1, connectionsPerAddress / 2));
            ServerConfig config = new ServerConfig(secret == null ? null : new Hmac(secret), registrationTtl,
                    pairingTtl, requestTimeout, replayWindow, maxPending, pendingPerAddress, maxPairings,
                    connections, connectionsPerAddress, maxRelays, maxNameBytes, maxIdBytes, legacyEnabled());
            Builder copy = copy();
            return new RendezvousServer(copy, new ServerCore(config));
        }

        /**
         * {@link #maxConnections} against the descriptor limit: a configured value that does not fit
         * fails, so the server never meets "Too many open files" under load; the default is lowered to fit.
         */
        private int effectiveMaxConnections(OptionalLong openFileLimit) {
            if (openFileLimit.isEmpty()) {
                return maxConnections != null ? maxConnections : DEFAULT_MAX_CONNECTIONS;
            }
            long limit = openFileLimit.getAsLong();
            int eventLoops = 1 + (workerThreads > 0 ? workerThreads : 2 * NettyRuntime.availableProcessors());
            long reserved = RESERVED_DESCRIPTORS + (long) DESCRIPTORS_PER_EVENT_LOOP * eventLoops;
            long room = limit - reserved;
            if (maxConnections == null && room >= 1) {
                return (int) Math.min(DEFAULT_MAX_CONNECTIONS, room);
            }
            if (maxConnections == null || maxConnections > room) {
                throw new IllegalStateException("max connections: " + (maxConnections == null ? "default" : maxConnections)
                        + " (expected: <= " + Math.max(0, room) + ", the open file limit RLIMIT_NOFILE " + limit + " less "
                        + reserved + " descriptors for the server itself); raise the limit (ulimit -n, systemd"
                        + " LimitNOFILE=) or lower maxConnections (CLI --max-connections)");
            }
            return maxConnections;
        }

        private Builder copy() {
            Builder c = new Builder();
            c.bindAddress = bindAddress;
            c.port = port;
            c.probePort = probePort;
            c.secret = secret;
            c.legacyTcpunch = legacyTcpunch;
            c.workerThreads = workerThreads;
            return c;
        }

        private static int checkPort(int port, String what) {
            return checkRange(port, 0, 65535, what);
        }

        static byte[] copySecret(byte[] secret) {
            if (secret != null && secret.length == 0) {
                throw new IllegalArgumentException("secret length: 0 (expected: > 0, or null for none)");
            }
            return secret == null ? null : secret.clone();
        }

        static int checkPositive(int v, String what) {
            return checkRange(v, 1, Integer.MAX_VALUE, what);
        }

        static int checkRange(int v, int min, int max, String what) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(what + ": " + v + " (expected: " + min + ".." + max + ")");
            }
            return v;
        }

        static Duration checkPositive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + ": " + d + " (expected: > 0)");
            }
            return d;
        }
    }
}
