package io.fmi.tcpunch;

/** Which way a {@link PunchedConnection} goes. {@link #word()} is what the CLI prints. */
public enum PunchPath {
    /** Straight to the peer's public (NAT-mapped) address, by TCP simultaneous open. */
    DIRECT_PUBLIC("direct-public"),
    /** Straight to one of the peer's private addresses: both peers sit behind one NAT (or none). */
    DIRECT_PRIVATE("direct-private"),
    /** Through the rendezvous server, which splices the two peers' connections. */
    RELAY("relay");

    private final String word;

    PunchPath(String word) {
        this.word = word;
    }

    /** {@code direct-public}, {@code direct-private} or {@code relay}. */
    public String word() {
        return word;
    }

    /** Whether the bytes go straight to the peer (not through the server's relay). */
    public boolean direct() {
        return this != RELAY;
    }

    @Override
    public String toString() {
        return word;
    }
}
