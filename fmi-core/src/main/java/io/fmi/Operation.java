package io.fmi;

import java.util.Locale;

/** The operations of a {@link Communicator}, as the channel selector and error messages name them. */
public enum Operation {
    SEND, BCAST, BARRIER, GATHER, SCATTER, REDUCE, ALLREDUCE, SCAN, ALLGATHER, ALLTOALL;

    /** Lower-case name as used in messages and logs, e.g. {@code "allreduce"}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
