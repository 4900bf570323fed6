package io.fmi.tcpunch;

import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Objects;

/**
 * A connection to the intended peer, handshaken: both ends proved they were the two peers the
 * rendezvous server paired (and, with a secret, that they hold it). The channel is connected, has
 * {@code TCP_NODELAY} set, and carries exactly the bytes the peers write after the handshake. The
 * caller owns the channel and closes it. Immutable and thread-safe.
 */
public final class PunchedConnection {
    private final Channel channel;
    private final PunchPath path;
    private final Duration elapsed;

    public PunchedConnection(Channel channel, PunchPath path, Duration elapsed) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.path = Objects.requireNonNull(path, "path");
        this.elapsed = Objects.requireNonNull(elapsed, "elapsed");
    }

    public Channel channel() {
        return channel;
    }

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
