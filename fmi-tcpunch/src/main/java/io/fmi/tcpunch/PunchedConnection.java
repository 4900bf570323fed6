package io.fmi.tcpunch;

import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Objects;

/**
 * A connection to the intended peer, handshaken: both ends proved they were the two peers the
 * rendezvous server paired (and, with a secret, that they hold it). The channel is connected, has
 * {@code TCP_NODELAY} set, runs on the client's event loop with the handlers the caller's
 * initializer added, and carries exactly the bytes the peers write after the handshake (bytes read
 * with the handshake were passed to those handlers first). The caller owns the channel and closes
 * it. What {@link HolePunchClient#connect} returns; {@link PunchedSocket} is the same connection as
 * a plain socket. Immutable and thread-safe.
 */
public final class PunchedConnection {
    private final Channel channel;
    private final PunchPath path;
    private final Duration elapsed;

    /**
     * @param channel the connected channel, handed to the caller
     * @param path    the path the connection takes
     * @param elapsed from {@code connect} to the handshake's end
     */
    public PunchedConnection(Channel channel, PunchPath path, Duration elapsed) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.path = Objects.requireNonNull(path, "path");
        this.elapsed = Objects.requireNonNull(elapsed, "elapsed");
    }

    /** The connected channel; the caller owns and closes it. */
    public Channel channel() {
        return channel;
    }

    /** The path the connection takes. */
    public PunchPath path() {
        return path;
    }

    /** From {@code connect} to the handshake's end. */
    public Duration elapsed() {
        return elapsed;
    }

    @Override
    public String toString() {
        return "PunchedConnection[" + path.word() + " " + channel.localAddress() + " -> " + channel.remoteAddress()
                + " in " + elapsed.toMillis() + " ms]";
    }
}
