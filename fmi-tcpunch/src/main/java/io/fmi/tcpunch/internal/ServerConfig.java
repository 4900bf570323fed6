package io.fmi.tcpunch.internal;

import java.time.Duration;

/**
 * The settled settings of a rendezvous server; built and validated by {@code RendezvousServer.Builder}.
 * A null {@code secret} means the server was made insecure on purpose. {@code maxConnections} is
 * the effective value, already checked against {@code RLIMIT_NOFILE}.
 */
public record ServerConfig(
        Hmac secret,
        Duration registrationTtl,
        Duration pairingTtl,
        Duration requestTimeout,
        Duration replayWindow,
        int maxPending,
        int maxPendingPerAddress,
        int maxPairings,
        int maxConnections,
        int maxConnectionsPerAddress,
        int maxRelays,
        int maxNameBytes,
        int maxIdBytes,
        boolean legacyTcpunch) {
}
