package io.fmi.tcpunch.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared state of one rendezvous server: waiting registrations by pairing name, matched
 * pairings kept for the relay, limits and counters. Thread-safe; every connection handler of every
 * event loop calls into it. No lock is held across I/O: the maps are concurrent and a pairing's
 * relay slot is guarded by the pairing itself.
 *
 * <p>Limits: open connections and pending registrations are capped in total and per source address
 * ({@link SourceCounts}), so one address cannot take what others need. A refusal is logged at WARN
 * with the source and the limit, at most once per {@link #REFUSAL_LOG_INTERVAL} for each limit.
 */
public final class ServerCore {
    private static final Logger log = LoggerFactory.getLogger(ServerCore.class);

    /** What became of a registration. */
    public enum Outcome { WAITING, PAIRED, REJECTED }

    /** How often each limit may log a refusal at most; the lines in between are counted, not written. */
    static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);

    /** The limits a client can hit, with the words and the config keys their log lines use. */
    enum Limit {
        CONNECTIONS("connection", "open connections", "maxConnections, CLI --max-connections"),
        CONNECTIONS_PER_ADDRESS("connection", "open connections from this address",
                "maxConnectionsPerAddress, CLI --max-connections-per-address"),
        PENDING("registration", "pending registrations", "maxPending, CLI --max-pending"),
        PENDING_PER_ADDRESS("registration", "pending registrations from this address",
                "maxPendingPerAddress, CLI --max-pending-per-address");

        final String what;
        final String counted;
        final String key;

        Limit(String what, String counted, String key) {
            this.what = what;
            this.counted = counted;
            this.key = key;
        }

        int max(ServerConfig c) {
            switch (this) {
                case CONNECTIONS:
                    return c.maxConnections();
                case CONNECTIONS_PER_ADDRESS:
                    return c.maxConnectionsPerAddress();
                case PENDING:
                    return c.maxPending();
                default:
                    return c.maxPendingPerAddress();
            }
        }
    }

    final ServerConfig config;
    final ReplayGuard replayGuard;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Registration> waiting = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ByteBuffer, Pairing> pairings = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Pairing> pairingsByAge = new ConcurrentLinkedQueue<>();

    final AtomicInteger pending = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final SourceCounts pendingBySource = new SourceCounts();
    final SourceCounts connectionsBySource = new SourceCounts();
    private final LogThrottle[] refusalLogs = new LogThrottle[Limit.values().length];
    final LongAdder totalLimited = new LongAdder();
    final AtomicInteger activeRelays = new AtomicInteger();
    private final AtomicInteger storedPairings = new AtomicInteger();
    final LongAdder totalConnections = new LongAdder();
    final LongAdder totalRegistrations = new LongAdder();
    final LongAdder totalPairings = new LongAdder();
    final LongAdder totalLegacyPairings = new LongAdder();
    final LongAdder totalRelays = new LongAdder();
    final LongAdder totalExpired = new LongAdder();
    final LongAdder totalRejected = new LongAdder();
    final LongAdder totalProbes = new LongAdder();

    /** A matched pair, remembered for {@link ServerConfig#pairingTtl()} so its peers can ask for a relay. */
    static final class Pairing {
        final ByteBuffer token;
        final String idA;
        final String idB;
        final long expiresNanos;
        Channel waitingRelay;
        String waitingId;
        boolean spliced;

        Pairing(ByteBuffer token, String idA, String idB, long expiresNanos) {
            this.token = token;
            this.idA = idA;
            this.idB = idB;
            this.expiresNanos = expiresNanos;
        }
    }

    public ServerCore(ServerConfig config) {
        this.config = config;
        this.replayGuard = new ReplayGuard(config.replayWindow().toMillis(),
                Math.max(1024, config.maxPending() * 4), System::currentTimeMillis);
        for (int i = 0; i < refusalLogs.length; i++) {
            refusalLogs[i] = new LogThrottle(REFUSAL_LOG_INTERVAL, System::nanoTime);
        }
    }

    private volatile int probePort;

    /** The probe port clients are told about in OBSERVED frames; 0 for none. */
    public int probePort() {
        return probePort;
    }

    public void probePort(int port) {
        this.probePort = port;
    }

    public ServerConfig config() {
        return config;
    }

    // ------------------------------------------------------------ registrations

    /**
     * Registers {@code r}, or pairs it with the peer already waiting under its name. On
     * {@link Outcome#PAIRED} both peers have been sent their PEER frames; on
     * {@link Outcome#REJECTED} {@code r}'s channel has been sent an ERROR and closed: a different
     * pair holds the name ({@link ErrorCode#NAME_IN_USE}), a waiting registration has the same name
     * and self id ({@link ErrorCode#DUPLICATE_REGISTRATION}; the waiting one keeps its place), or a
     * limit was reached ({@link ErrorCode#SERVER_FULL}).
     */
    public Outcome register(Registration r) {
        totalRegistrations.increment();
        for (;;) {
            Registration existing = waiting.get(r.key);
            if (existing == null) {
                if (!reservePending(r)) {
                    return Outcome.REJECTED;
                }
                if (waiting.putIfAbsent(r.key, r) == null) {
                    log.trace("waiting {}", r);
                    return Outcome.WAITING;
                }
                releasePending(r);
                continue;
            }
            if (!existing.channel.isActive()) {
                removeWaiting(existing);
                continue;
            }
            if (existing.pairsWith(r)) {
                if (removeWaiting(existing)) {
                    pair(existing, r);
                    return Outcome.PAIRED;
                }
                continue;
            }
            if (existing.sameSelf(r)) {
                // Never a replacement: the newcomer may be a second job with the same name and run id,
                // and handing it the waiting peer would mix the two jobs' data.
                log.debug("{} refused: {} holds this name and self id", r, existing);
                reject(r.channel, ErrorCode.DUPLICATE_REGISTRATION, "pairing name '" + r.name + "' with self id '"
                        + r.selfId + "' is already registered by another peer, waiting for " + existing.peerId
                        + " since " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - existing.sinceNanos)
                        + " ms (expected: one registration per name and self id; is a second job with the same"
                        + " communicator name and run id running?)");
                return Outcome.REJECTED;
            }
            reject(r.channel, ErrorCode.NAME_IN_USE, "pairing name '" + r.name + "' is held by "
                    + existing.selfId + " waiting for " + existing.peerId + " (expected: self id "
                    + existing.peerId + " and peer id " + existing.selfId + ")");
            return Outcome.REJECTED;
        }
    }

    /** Counts {@code r} as pending, in total and for its source; false if a limit refused it (then it got an ERROR). */
    private boolean reservePending(Registration r) {
        if (!pendingBySource.tryAcquire(r.source, config.maxPendingPerAddress())) {
            refuseRegistration(r, Limit.PENDING_PER_ADDRESS);
            return false;
        }
        if (pending.incrementAndGet() > config.maxPending()) {
            releasePending(r);
            refuseRegistration(r, Limit.PENDING);
            return false;
        }
        return true;
    }

    private void releasePending(Registration r) {
        pending.decrementAndGet();
        pendingBySource.release(r.source);
    }

    private void refuseRegistration(Registration r, Limit limit) {
        refused(limit, r.source);
        String from = limit == Limit.PENDING_PER_ADDRESS ? " from " + SourceCounts.describe(r.source) : "";
        reject(r.channel, ErrorCode.SERVER_FULL, "pending registrations" + from + ": " + limit.max(config)
                + ", the limit (" + limit.key + "; expected: fewer, retry later)");
    }

    /** Counts and logs (throttled) a connection or registration that {@code limit} refused. */
    void refused(Limit limit, InetAddress source) {
        totalLimited.increment();
        long held = refusalLogs[limit.ordinal()].admit();
        if (held >= 0) {
            log.warn("{} from {} refused: {} {}, the limit ({}){}", limit.what, SourceCounts.describe(source),
                    limit.max(config), limit.counted, limit.key,
                    held > 0 ? "; " + held + " more refused by this limit since its last line" : "");
        }
    }

    /** Removes {@code r} if it is still waiting; true if this call removed it. */
    public boolean removeWaiting(Registration r) {
        if (waiting.remove(r.key, r)) {
            releasePending(r);
            return true;
        }
        return false;
    }

    /** Expires a waiting registration: true if it was still waiting (then it got an ERROR and was closed). */
    public boolean expire(Registration r) {
        if (removeWaiting(r)) {
            totalExpired.increment();
            reject(r.channel, ErrorCode.EXPIRED, "no peer registered under '" + r.name + "' within "
                    + config.registrationTtl());
            return true;
        }
        return false;
    }

    private void pair(Registration a, Registration b) {
        byte[] token = new byte[Wire.TOKEN_LENGTH];
        random.nextBytes(token);
        totalPairings.increment();
        if (a.legacy) {
            totalLegacyPairings.increment();
        } else {
            storePairing(token, a.selfId, b.selfId);
        }
        log.trace("pairing {} with {}", a, b);
        cancel(a.expiry);
        cancel(b.expiry);
        // both pushes are issued back to back: neither peer starts punching long before the other
        a.channel.writeAndFlush(peerFrame(a, b, token));
        b.channel.writeAndFlush(peerFrame(b, a, token));
        // the peers close these connections once punched; close them anyway if they do not
        lingerThenClose(a.channel);
        lingerThenClose(b.channel);
    }

    private Object peerFrame(Registration to, Registration about, byte[] token) {
        if (to.legacy) {
            return LegacyCodec.endpoint(to.channel.alloc(), about.observed);
        }
        Message.Peer peer = new Message.Peer(token, about.natFlags, about.selfId, about.observed, about.privateEndpoints);
        return MessageCodec.encode(to.channel.alloc(), peer, null);
    }

    private void lingerThenClose(Channel ch) {
        ScheduledFuture<?> close = ch.eventLoop().schedule(() -> {
            ch.close();
        }, config.pairingTtl().toMillis(), TimeUnit.MILLISECONDS);
        // most peers close first: drop the timer then, or timers of closed connections pile up for the TTL
        ch.closeFuture().addListener(f -> close.cancel(false));
    }

    // ------------------------------------------------------------ relay

    private void storePairing(byte[] token, String idA, String idB) {
        sweepPairings();
        if (storedPairings.incrementAndGet() > config.maxPairings()) {
            storedPairings.decrementAndGet();
            log.debug("pairings kept for relay: {} (the limit): this pair cannot use the relay", config.maxPairings());
            return;
        }
        Pairing p = new Pairing(ByteBuffer.wrap(token), idA, idB,
                System.nanoTime() + config.pairingTtl().toNanos());
        pairings.put(p.token, p);
        pairingsByAge.add(p);
    }

    /** Forgets pairings older than the pairing TTL; they are in age order because the TTL is one value. */
    void sweepPairings() {
        long now = System.nanoTime();
        for (Pairing p = pairingsByAge.peek(); p != null && p.expiresNanos - now < 0; p = pairingsByAge.peek()) {
            if (pairingsByAge.remove(p)) {
                pairings.remove(p.token, p);
                storedPairings.decrementAndGet();
            }
        }
    }

    /**
     * A peer asks to be relayed to its peer. Returns true if it now waits for the other one or was
     * spliced with it; false if it was refused (then its channel got an ERROR and was closed).
     */
    public boolean relay(Channel ch, byte[] token, String selfId) {
        sweepPairings();
        Pairing p = pairings.get(ByteBuffer.wrap(token));
        if (p == null || !selfId.equals(p.idA) && !selfId.equals(p.idB)) {
            reject(ch, ErrorCode.UNKNOWN_TOKEN, "relay token " + Wire.hex(token) + " for " + selfId
                    + ": unknown or expired (expected: a token from a PEER frame of the last " + config.pairingTtl() + ")");
            return false;
        }
        Channel other;
        Channel replaced = null;
        synchronized (p) {
            if (p.spliced) {
                reject(ch, ErrorCode.UNEXPECTED_FRAME, "relay for token " + Wire.hex(token) + " already established");
                return false;
            }
            if (p.waitingRelay == null || !p.waitingRelay.isActive() || p.waitingId.equals(selfId)) {
                replaced = p.waitingRelay;
                p.waitingRelay = ch;
                p.waitingId = selfId;
                other = null;
            } else {
                if (activeRelays.incrementAndGet() > config.maxRelays()) {
                    activeRelays.decrementAndGet();
                    reject(ch, ErrorCode.SERVER_FULL, "relays: " + config.maxRelays() + " (expected: fewer; retry later)");
                    return false;
                }
                other = p.waitingRelay;
                p.waitingRelay = null;
                p.spliced = true;
            }
        }
        if (replaced != null && replaced != ch) {
            replaced.close();
        }
        if (other != null) {
            if (pairingsByAge.remove(p)) {
                pairings.remove(p.token, p);
                storedPairings.decrementAndGet();
            }
            totalRelays.increment();
            log.debug("relaying {} <-> {}", other.remoteAddress(), ch.remoteAddress());
            RelayHandler.splice(other, ch, activeRelays);
        }
        return true;
    }

    /** Leaves the relay queue of a pairing if {@code ch} still waits there. */
    public void leaveRelay(Channel ch, byte[] token) {
        Pairing p = pairings.get(ByteBuffer.wrap(token));
        if (p != null) {
            synchronized (p) {
                if (p.waitingRelay == ch) {
                    p.waitingRelay = null;
                    p.waitingId = null;
                }
            }
        }
    }

    // ------------------------------------------------------------ helpers

    /** Sends an ERROR frame (or, to a legacy client, nothing) and closes. */
    public void reject(Channel ch, ErrorCode code, String text) {
        totalRejected.increment();
        log.debug("rejecting {}: {} {}", ch.remoteAddress(), code, text);
        if (ch.hasAttr(LegacyCodec.LEGACY)) {
            ch.close();
            return;
        }
        ByteBuf frame = MessageCodec.encode(ch.alloc(), new Message.Error(code, text), null);
        ch.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }

    static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /** The address a peer connected from, with IPv4-mapped IPv6 addresses turned back into IPv4. */
    public static InetSocketAddress observed(Channel ch) {
        InetSocketAddress a = (InetSocketAddress) ch.remoteAddress();
        InetAddress ip = a.getAddress();
        if (ip instanceof Inet6Address) {
            byte[] b = ip.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
            if (mapped) {
                try {
                    return new InetSocketAddress(
                            Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}), a.getPort());
                } catch (UnknownHostException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return a;
    }

    /** Forgets expired pairings; called every second so memory is returned even when no peer calls. */
    public void sweepPairingsNow() {
        sweepPairings();
    }

    public io.fmi.tcpunch.ServerStats stats() {
        return new io.fmi.tcpunch.ServerStats(connections.get(), pending.get(), activeRelays.get(),
                totalConnections.sum(), totalRegistrations.sum(), totalPairings.sum(), totalLegacyPairings.sum(),
                totalRelays.sum(), totalExpired.sum(), totalRejected.sum(), totalProbes.sum(), totalLimited.sum());
    }

    public int pendingRegistrations() {
        return pending.get();
    }

    /** Registrations from {@code address}'s source (itself, or its IPv6 /64) waiting now. */
    public int pendingRegistrations(InetAddress address) {
        return pendingBySource.count(SourceCounts.sourceOf(address));
    }

    /** Connections from {@code address}'s source (itself, or its IPv6 /64) open now. */
    public int openConnections(InetAddress address) {
        return connectionsBySource.count(SourceCounts.sourceOf(address));
    }

    public int storedPairings() {
        return storedPairings.get();
    }
}
