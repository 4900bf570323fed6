package io.fmi.tcpunch.internal;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/** One peer waiting for the other peer of its pairing name. Owned by {@link ServerCore}. */
final class Registration {
    final Channel channel;
    final String key;
    final String name;
    final String selfId;
    final String peerId;
    final int natFlags;
    final InetSocketAddress observed;
    /** The source address its limits count against ({@link SourceCounts#sourceOf}). */
    final InetAddress source;
    final List<InetSocketAddress> privateEndpoints;
    final boolean legacy;
    final long sinceNanos = System.nanoTime();
    volatile ScheduledFuture<?> expiry;

    Registration(Channel channel, String name, String selfId, String peerId, int natFlags,
                 InetSocketAddress observed, List<InetSocketAddress> privateEndpoints, boolean legacy) {
        this.channel = channel;
        this.key = (legacy ? "L:" : "F:") + name;
        this.name = name;
        this.selfId = selfId;
        this.peerId = peerId;
        this.natFlags = natFlags;
        this.observed = observed;
        this.source = SourceCounts.sourceOf(observed.getAddress());
        this.privateEndpoints = privateEndpoints;
        this.legacy = legacy;
    }

    /**
     * Whether {@code other} is the peer this registration waits for. Legacy names pair with anyone;
     * two registrations that both wait for {@link Wire#ANY_PEER} pair if their self ids differ.
     */
    boolean pairsWith(Registration other) {
        if (legacy) {
            return true;
        }
        if (peerId.equals(Wire.ANY_PEER) || other.peerId.equals(Wire.ANY_PEER)) {
            return peerId.equals(other.peerId) && !selfId.equals(other.selfId);
        }
        return selfId.equals(other.peerId) && peerId.equals(other.selfId);
    }

    /** Whether {@code other} claims the same self id under this name (then it is a duplicate, whatever its peer id). */
    boolean sameSelf(Registration other) {
        return !legacy && selfId.equals(other.selfId);
    }

    @Override
    public String toString() {
        return legacy ? "[name=" + name + " legacy " + observed + "]"
                : "[name=" + name + " self=" + selfId + " peer=" + peerId + " " + observed + "]";
    }
}
