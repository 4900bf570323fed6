package io.fmi.model;

/**
 * One transfer step of an operation: {@code producers} peers each send {@code bytes} bytes to each
 * of {@code consumers} peers, all at the same time. This is the unit the FMI paper (Copik et al.,
 * "FMI: Fast and Cheap Message Passing for Serverless Functions", ICS 2023, section 4) models:
 * latency {@code log2(p+c)·overhead + p·c·bytes / aggregateBandwidth(p, c)}.
 *
 * <p>On a store, a producer writes one object that all its consumers read, unless the pattern is
 * {@code personalized} (scatter, alltoall, barrier release): then it writes one object per
 * consumer. Either way there are {@code p·c} reads.
 *
 * <pre>
 * bcast to 7 readers:           TransferPattern.of(1, 7, bytes)                 1 put,  7 gets
 * gather of 7 blocks at a root: TransferPattern.of(7, 1, bytes)                 7 puts, 7 gets
 * scatter to 7 peers:           TransferPattern.personalized(1, 7, blockBytes)  7 puts, 7 gets
 * </pre>
 *
 * @param producers   peers that send, {@code >= 1}
 * @param consumers   peers that receive from every producer, {@code >= 1}
 * @param bytes       bytes of each message (producer to consumer), {@code >= 0}
 * @param personalized whether every consumer gets its own message (its own object on a store)
 */
public record TransferPattern(int producers, int consumers, long bytes, boolean personalized) {
    /** Checks the counts and the size. */
    public TransferPattern {
        if (producers < 1) {
            throw new IllegalArgumentException("producers: " + producers + " (expected: >= 1)");
        }
        if (consumers < 1) {
            throw new IllegalArgumentException("consumers: " + consumers + " (expected: >= 1)");
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
        }
    }

    /** {@code p} producers, {@code c} consumers, one shared message per producer. */
    public static TransferPattern of(int producers, int consumers, long bytes) {
        return new TransferPattern(producers, consumers, bytes, false);
    }

    /** {@code p} producers, each with a message of its own for each of {@code c} consumers. */
    public static TransferPattern personalized(int producers, int consumers, long bytes) {
        return new TransferPattern(producers, consumers, bytes, true);
    }

    /** One peer to one peer: a point-to-point message, or one round of a pairwise algorithm. */
    public static TransferPattern pair(long bytes) {
        return new TransferPattern(1, 1, bytes, false);
    }

    /** Writes to a store: {@code p}, or {@code p·c} when personalized. */
    public long writes() {
        return personalized ? (long) producers * consumers : producers;
    }

    /** Successful reads from a store (polls that find nothing not counted): {@code p·c}. */
    public long reads() {
        return (long) producers * consumers;
    }

    /** Bytes that reach consumers: {@code p·c·bytes}. */
    public double bytesDelivered() {
        return (double) producers * consumers * bytes;
    }

    /** Bytes written to a store or the network by producers. */
    public double bytesWritten() {
        return (double) writes() * bytes;
    }
}
