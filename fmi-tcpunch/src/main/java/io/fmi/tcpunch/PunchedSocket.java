package io.fmi.tcpunch;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * A connection to the intended peer, handshaken as a {@link PunchedConnection} is, and handed over
 * as a plain {@link SocketChannel} that no event loop drives any more: what
 * {@link HolePunchClient#connectSocket} returns, for callers that do their own I/O.
 *
 * <pre>
 * PunchedSocket s = client.connectSocket("job42:0:3", "0", "3", Duration.ofSeconds(30)).join();
 * ByteBuffer early = s.received();      // the peer's first bytes, if the client read them already
 * SocketChannel socket = s.socket();    // then read on from the socket
 * </pre>
 *
 * <h2>State of the socket</h2>
 * Connected, open, in non-blocking mode, with {@code TCP_NODELAY} set, and registered with no
 * selector: the caller may register it with its own selector or switch it to blocking mode. The
 * client opened the socket itself (with {@code SO_REUSEADDR} and {@code SO_REUSEPORT} where it
 * shares the local port used for punching); the handshake's last byte is written.
 *
 * <h2>Bytes already read</h2>
 * The client reads the handshake in whole reads, so it may have read the peer's first bytes after
 * the handshake too: {@link #received()} holds them, in order, and the socket carries the rest.
 * A caller that forgets them loses the start of the peer's stream.
 *
 * <h2>Ownership</h2>
 * The caller owns the socket from the moment the future completes and closes it. Immutable and
 * thread-safe (the socket itself follows {@link SocketChannel}'s rules).
 */
public final class PunchedSocket {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final SocketChannel socket;
    private final ByteBuffer received;
    private final PunchPath path;
    private final Duration elapsed;

    /**
     * @param socket   the connected socket, handed to the caller
     * @param received bytes the client read past the handshake (copied), or null for none
     * @param path     the path the connection takes
     * @param elapsed  from {@code connectSocket} to the handshake's end
     */
    public PunchedSocket(SocketChannel socket, byte[] received, PunchPath path, Duration elapsed) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.received = received == null || received.length == 0 ? NOTHING
                : ByteBuffer.wrap(received.clone()).asReadOnlyBuffer();
        this.path = Objects.requireNonNull(path, "path");
        this.elapsed = Objects.requireNonNull(elapsed, "elapsed");
    }

    /** The connected socket; the caller owns and closes it. */
    public SocketChannel socket() {
        return socket;
    }

    /**
     * The bytes the peer sent after the handshake that the client had already read, to be consumed
     * before anything read from {@link #socket()}: a new read-only view (position 0) on each call,
     * empty when there were none.
     */
    public ByteBuffer received() {
        return received.duplicate();
    }

    /** The path the connection takes. */
    public PunchPath path() {
        return path;
    }

    /** From {@code connectSocket} to the handshake's end. */
    public Duration elapsed() {
        return elapsed;
    }

    @Override
    public String toString() {
        return "PunchedSocket[" + path.word() + " " + address(true) + " -> " + address(false) + " in " + elapsed.toMillis()
                + " ms, " + received.remaining() + " bytes read ahead]";
    }

    private Object address(boolean local) {
        try {
            SocketAddress a = local ? socket.getLocalAddress() : socket.getRemoteAddress();
            return a != null ? a : "?";
        } catch (java.io.IOException e) {
            return "closed";
        }
    }
}
