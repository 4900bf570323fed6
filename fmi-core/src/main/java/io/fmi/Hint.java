package io.fmi;

/** What the channel selector optimises for. */
public enum Hint {
    /** The channel with the lowest modelled latency for the operation. */
    FAST,
    /** The channel with the lowest modelled total cost (requests, transfer, infrastructure and the FaaS time of all peers). */
    CHEAP
}
