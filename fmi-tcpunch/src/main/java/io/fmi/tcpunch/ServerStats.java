package io.fmi.tcpunch;

/**
 * A snapshot of a {@link RendezvousServer}'s counters. Gauges ({@code open...}, {@code pending...},
 * {@code active...}) are current values; {@code total...} counts since start.
 *
 * @param openConnections        client connections open now
 * @param pendingRegistrations   peers waiting for their peer now
 * @param activeRelays           spliced relay pairs now
 * @param totalConnections       connections accepted
 * @param totalRegistrations     REGISTER requests (and TCPunch names) received
 * @param totalPairings          pairs matched, TCPunch pairs included
 * @param totalLegacyPairings    pairs of C++ TCPunch clients matched
 * @param totalRelays            relays spliced
 * @param totalExpired           registrations expired without a peer
 * @param totalRejected          requests answered with an ERROR or a close
 * @param totalProbes            mapping probes answered
 * @param totalLimited           connections and registrations refused by a limit on connections or
 *                               pending registrations (in total or per source address)
 */
public record ServerStats(
        int openConnections,
        int pendingRegistrations,
        int activeRelays,
        long totalConnections,
        long totalRegistrations,
        long totalPairings,
        long totalLegacyPairings,
        long totalRelays,
        long totalExpired,
        long totalRejected,
        long totalProbes,
        long totalLimited) {

    /** One line for logs: {@code open=3 pending=1 relays=0 pairings=12 ...}. */
    public String toLine() {
        return "open=" + openConnections + " pending=" + pendingRegistrations + " relays=" + activeRelays
                + " connections=" + totalConnections + " registrations=" + totalRegistrations
                + " pairings=" + totalPairings + " legacy=" + totalLegacyPairings + " relayed=" + totalRelays
                + " expired=" + totalExpired + " rejected=" + totalRejected + " probes=" + totalProbes
                + " limited=" + totalLimited;
    }
}
