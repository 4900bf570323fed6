package io.fmi.tcpunch.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of something (open connections, pending registrations) each source address holds, each
 * capped. A source is an IPv4 address, or an IPv6 /64 prefix: one host or site usually holds a
 * whole /64, so counting its single addresses would not limit it. An address whose count drops to
 * zero is forgotten, so memory follows the addresses that hold something now. Thread-safe.
 */
final class SourceCounts {
    private final ConcurrentHashMap<InetAddress, Integer> counts = new ConcurrentHashMap<>();

    /** The source a limit applies to: {@code address} itself (IPv4) or its /64 prefix (IPv6). */
    static InetAddress sourceOf(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] prefix = address.getAddress();
        java.util.Arrays.fill(prefix, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(prefix);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A source for log lines and error texts: {@code 203.0.113.9} or {@code 2001:db8:0:7:0:0:0:0/64}. */
    static String describe(InetAddress source) {
        return source instanceof Inet6Address ? source.getHostAddress() + "/64" : source.getHostAddress();
    }

    /** Counts one more for {@code source} unless it already holds {@code limit}; true if counted. */
    boolean tryAcquire(InetAddress source, int limit) {
        boolean[] counted = new boolean[1];
        counts.compute(source, (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= limit) {
                return n;
            }
            counted[0] = true;
            return held + 1;
        });
        return counted[0];
    }

    /** Counts one less for {@code source}; only after a {@link #tryAcquire} that returned true. */
    void release(InetAddress source) {
        counts.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** What {@code source} holds now. */
    int count(InetAddress source) {
        return counts.getOrDefault(source, 0);
    }

    /** Sources that hold something now. */
    int sources() {
        return counts.size();
    }
}
