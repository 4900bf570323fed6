package io.fmi;

import java.util.Locale;

/**
 * The operations of a {@link Communicator}, as the channel selector, channel overrides
 * ({@code builder.channel(op, backend)}) and error messages name them. Operations without a value
 * of their own take one of these: {@code sendrecv}, {@code recvBytes} and the object messages are
 * {@link #SEND}; {@code bcastObject} is {@link #BCAST}; {@code gatherBytes} and
 * {@code gatherObjects} are {@link #GATHERV}; {@code allgatherBytes} is {@link #ALLGATHERV};
 * {@code alltoallBytes} is {@link #ALLTOALLV}; {@code split} exchanges its colors and keys as an
 * {@link #ALLGATHER}.
 */
public enum Operation {
    /** Point-to-point messages: send, recv and their variants. */
    SEND,
    /** One rank's data to all. */
    BCAST,
    /** Synchronisation of all ranks. */
    BARRIER,
    /** Equal blocks of all ranks to one. */
    GATHER,
    /** Equal blocks of one rank to all. */
    SCATTER,
    /** Reduction to one rank. */
    REDUCE,
    /** Reduction to all ranks. */
    ALLREDUCE,
    /** Inclusive prefix reduction. */
    SCAN,
    /** Equal blocks of all ranks to all. */
    ALLGATHER,
    /** Equal blocks of every rank to every rank. */
    ALLTOALL,
    /** Exclusive prefix reduction. */
    EXSCAN,
    /** Blocks of any size of all ranks to one. */
    GATHERV,
    /** Blocks of any size of one rank to all. */
    SCATTERV,
    /** Blocks of any size of all ranks to all. */
    ALLGATHERV,
    /** Blocks of any size of every rank to every rank. */
    ALLTOALLV,
    /** Reduction whose result is split into one block per rank. */
    REDUCE_SCATTER;

    /**
     * Lower-case name as used in messages and logs.
     *
     * @return e.g. {@code "allreduce"}, {@code "reduce_scatter"}
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
