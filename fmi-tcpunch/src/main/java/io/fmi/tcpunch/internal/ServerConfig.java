package io.fmi.tcpunch.internal;

import java.time.Duration;

/** The settled settings of a rendezvous server; built and validated by {@code RendezvousServer.Builder}. */
public record ServerConfig(
        Hmac secret,
        Duration registrationTtl,
        Duration pairingTtl,
        Duration requestTimeout,
        Duration replayWindow,
        int maxPending,
        int maxPairings,
        int maxConnections,
        int maxRelays,
        int maxNameBytes,
        int maxIdBytes,
        boolean legacyTcpunch) {
}
